package io.portico.spi.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyTest {

  @Test
  void withHeaderReturnsANewReplyAndLeavesTheOriginalAsItWas() {
    Reply base = Reply.text(HttpResponseStatus.OK, "hi");

    Reply more = base.withHeader("X-One", 1).withHeader("x-one", "2");

    assertThat(more).isNotSameAs(base);
    assertThat(more.headers().getAll("X-One")).containsExactly("1", "2");
    assertThat(more.headers().get("content-type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(base.headers().contains("X-One")).isFalse();
    assertThat(more.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(new String(more.body(), StandardCharsets.UTF_8)).isEqualTo("hi");
  }

  @Test
  void headersCannotBeChanged() {
    Reply reply = Reply.of(HttpResponseStatus.NO_CONTENT).withHeader("Vary", "Origin");

    assertThatThrownBy(() -> reply.headers().add("X-Late", "1"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> reply.headers().remove("Vary"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> Reply.of(HttpResponseStatus.OK).headers().set("X-Late", "1"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void withHeadersCopiesWhatItIsGiven() {
    HttpHeaders built = new DefaultHttpHeaders().add("Vary", "Origin").add("Vary", "Accept");

    Reply reply = Reply.of(HttpResponseStatus.NO_CONTENT).withHeaders(built);
    built.add("X-Later", "1");

    assertThat(reply.headers().getAll("vary")).containsExactly("Origin", "Accept");
    assertThat(reply.headers().contains("X-Later")).isFalse();
  }

  @Test
  void theBodyIsCopiedInAndOut() {
    byte[] body = "abc".getBytes(StandardCharsets.UTF_8);
    Reply reply = Reply.of(HttpResponseStatus.OK, "text/plain", body);

    body[0] = 'X';
    reply.body()[1] = 'Y';

    assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("abc");
  }

  @Test
  void refusesAHeaderValueThatWouldSplitTheResponse() {
    Reply reply = Reply.of(HttpResponseStatus.OK);

    assertThatThrownBy(() -> reply.withHeader("X-Bad", "a\r\nSet-Cookie: x=1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> reply.withHeader("Bad Name", "a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aProblemKeepsItsDetailAndGainsHeaders() {
    Reply reply =
        Reply.problem(HttpResponseStatus.TOO_MANY_REQUESTS, "rate-limited", "Slow down", "Later.")
            .withHeader("Retry-After", 5);

    assertThat(reply.problem())
        .isEqualTo(new Reply.ProblemDetail("rate-limited", "Slow down", "Later."));
    assertThat(reply.headers().get("retry-after")).isEqualTo("5");
    assertThat(reply.body()).isEmpty();
  }

  @Test
  void aReasonIsKeptThroughHeaderChangesAndIsNeverPartOfTheBody() {
    Reply reply =
        Reply.problem(HttpResponseStatus.UNAUTHORIZED, "authentication-required", "U", "D")
            .withReason("jwt_expired")
            .withHeader("WWW-Authenticate", "Bearer");

    assertThat(reply.reason()).isEqualTo("jwt_expired");
    assertThat(reply.problem().detail()).isEqualTo("D");
    assertThat(Reply.of(HttpResponseStatus.FORBIDDEN).reason()).isNull();
  }

  @Test
  void aReasonMustBeAShortSnakeCaseCode() {
    Reply base = Reply.of(HttpResponseStatus.FORBIDDEN);
    for (String bad : new String[] {"", "Expired", "1st", "kid abc", "a-b", "x".repeat(65)}) {
      assertThatThrownBy(() -> base.withReason(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(base.withReason("acl_denied_2").reason()).isEqualTo("acl_denied_2");
  }
}
