package io.ketch.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogPositionsTest {

  @Test
  void appendsTruncatesCompactsAndGrows() {
    LogPositions log = new LogPositions(10, 3);
    for (long i = 11; i <= 200; i++) {
      log.append(i, 3, 1000 + i);
    }
    log.append(150, 4, 7); // replaces 150..200
    assertThat(log.lastIndex()).isEqualTo(150);
    assertThat(log.term(149)).isEqualTo(3);
    assertThat(log.term(150)).isEqualTo(4);
    assertThat(log.document(149)).isEqualTo(1149);
    assertThat(log.document(150)).isEqualTo(7);

    log.compactTo(100);
    assertThat(log.offset()).isEqualTo(100);
    assertThat(log.term(100)).isEqualTo(3); // the compaction point keeps its term
    assertThat(log.document(101)).isEqualTo(1101);
    assertThat(log.lastIndex()).isEqualTo(150);
    assertThatThrownBy(() -> log.document(100)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> log.append(152, 4, 8)).isInstanceOf(IllegalArgumentException.class);

    log.reset(300, 5);
    assertThat(log.lastIndex()).isEqualTo(300);
    assertThat(log.term(300)).isEqualTo(5);
  }
}
