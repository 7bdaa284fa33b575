package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StreamTranslatorTest {

  @Test
  void aStreamEventMustCarryAJsonObject() throws Exception {
    assertThat(StreamTranslator.eventObject("{\"type\":\"ping\"}").path("type").asText())
        .isEqualTo("ping");
    for (String data : new String[] {"not json", "[1,2]", "\"text\"", "{\"open\":"}) {
      assertThatThrownBy(() -> StreamTranslator.eventObject(data))
          .as(data)
          .isInstanceOf(ProviderAdapter.InvalidAnswer.class)
          .hasMessage("sent a stream event that is not JSON");
    }
  }

  @Test
  void everyChunkBeginsWithItsIdObjectCreatedAndModel() {
    assertThat(Json.text(StreamTranslator.chunkHead("chatcmpl-1", 42, "small")))
        .isEqualTo(
            "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":42,"
                + "\"model\":\"small\"}");
  }
}
