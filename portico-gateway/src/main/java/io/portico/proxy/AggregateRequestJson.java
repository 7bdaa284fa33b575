package io.portico.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.CompositeByteBuf;
import java.io.IOException;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * The client's body on an aggregate route whose backend templates read it ({@code ${body./id}}):
 * held up to the aggregate's {@code max-body-size}, then parsed as JSON once, before the
 * aggregation starts. A body that is empty or not JSON gives no value (the templates' values from
 * it are missing, as the template language has it).
 *
 * <p>Ownership: {@link #append} takes the chunk; {@link #parse} and {@link #discard} release
 * everything held. Confined to the exchange's event loop.
 */
final class AggregateRequestJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final CompositeByteBuf held;
  private final long limit;
  private boolean released;

  AggregateRequestJson(ByteBufAllocator alloc, long limit) {
    this.held = alloc.compositeBuffer(1024);
    this.limit = limit;
  }

  /** Takes ownership of {@code chunk}; false (and everything released) when over the limit. */
  boolean append(ByteBuf chunk) {
    if (released) {
      chunk.release();
      return false;
    }
    if ((long) held.readableBytes() + chunk.readableBytes() > limit) {
      chunk.release();
      discard();
      return false;
    }
    if (chunk.isReadable()) {
      held.addComponent(true, chunk);
    } else {
      chunk.release();
    }
    return true;
  }

  /** The limit, for messages. */
  long limit() {
    return limit;
  }

  /** The body as JSON, or null when it is empty or not JSON; releases what was held. */
  @Nullable JsonNode parse() {
    if (released) {
      return null;
    }
    try (InputStream in = new ByteBufInputStream(held)) {
      JsonNode tree = held.isReadable() ? JSON.readTree(in) : null;
      return tree == null || tree.isMissingNode() ? null : tree;
    } catch (IOException e) {
      return null;
    } finally {
      discard();
    }
  }

  /** Releases what was held. Idempotent. */
  void discard() {
    if (!released) {
      released = true;
      held.release();
    }
  }
}
