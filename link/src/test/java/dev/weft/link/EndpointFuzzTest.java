package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/** Endpoint text from operators and peers' files: an IllegalArgumentException with a message, or a value that prints back to itself. */
@Timeout(30)
class EndpointFuzzTest {
  @FuzzTest(maxDuration = "2m")
  void parsesOrExplains(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    Endpoint endpoint;
    try {
      endpoint = Endpoint.parse(text);
    } catch (IllegalArgumentException e) {
      assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "no message for '" + text + "'");
      return;
    }
    assertEquals(endpoint, Endpoint.parse(endpoint.toString()));
    assertFalse(endpoint.host().isEmpty());
  }
}
