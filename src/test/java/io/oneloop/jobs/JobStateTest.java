package io.oneloop.jobs;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JobStateTest {

  @Test
  @DisplayName("the job records' states are the words docs/http-api.md lists: queued, running, succeeded, failed, cancelled")
  void wireNames() {
    assertEquals(List.of("queued", "running", "succeeded", "failed", "cancelled"),
      Arrays.stream(JobState.values()).map(JobState::wireName).toList());
  }
}
