/**
 * The access log's delivery: a line per logged exchange, made on its event loop from the finished
 * record and handed to every sink's bounded queue; the first sink thread that needs its JSON
 * formats it once, and each sink delivers on its own thread.
 *
 * <pre>
 *   event loop                         │ one thread per sink
 *   ExchangeRecord                     │
 *     ─▶ AccessLogPipeline             │
 *          route on? sampled?          │
 *          LogLine (the record, ───offer──▶ QueuedSink ─▶ LogSink.deliver(batch)
 *            headers copied if shown)  │      (full: dropped++)    line.json(): LineFormatter
 *                                      │                           (fields, redaction), once
 *                                      │                           (throws: failed += batch)
 * </pre>
 *
 * <p>Nothing here blocks an event loop: a full queue drops the line and counts it, a sink that
 * fails counts its lost lines and is called again with the next batch, so delivery resumes on its
 * own when the destination returns. Sinks: {@link io.portico.observe.log.FileLogSink} (rotation by
 * size and time, gzip, retention), {@link io.portico.observe.log.StreamLogSink} (stdout), {@link
 * io.portico.observe.log.HttpLogSink} (JSON array batches with retries), {@link
 * io.portico.observe.log.SyslogLogSink} (RFC 5424 over UDP or TCP) and {@link
 * io.portico.observe.log.NatsLogSink}.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.observe.log;

import org.jspecify.annotations.NullMarked;
