package io.ketch.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RangePermissionsTest {

  private static final ByteString NONE = ByteString.EMPTY;
  private static final ByteString FROM_KEY = bytes(0);

  private static ByteString s(String value) {
    return ByteString.copyFromUtf8(value);
  }

  private static ByteString bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return ByteString.copyFrom(b);
  }

  private static RangePermissions of(ByteString... keyEndPairs) {
    List<ByteString[]> ranges = new ArrayList<>();
    for (int i = 0; i < keyEndPairs.length; i += 2) {
      ranges.add(new ByteString[] {keyEndPairs[i], keyEndPairs[i + 1]});
    }
    return RangePermissions.of(ranges);
  }

  @Test
  void aSingleKeyPermissionCoversThatKeyOnly() {
    RangePermissions perms = of(s("foo"), NONE);
    assertThat(perms.covers(s("foo"), NONE)).isTrue();
    assertThat(perms.covers(s("fo"), NONE)).isFalse();
    assertThat(perms.covers(s("foo0"), NONE)).isFalse();
    assertThat(perms.covers(s("foo"), s("fop"))).isFalse(); // a prefix read needs more
    assertThat(perms.covers(s("foo"), s("foo\0"))).isTrue(); // exactly [foo, foo\0)
  }

  @Test
  void aPrefixPermissionCoversItsKeysAndSubranges() {
    RangePermissions perms = of(s("foo/"), s("foo0")); // etcdctl --prefix foo/
    assertThat(perms.covers(s("foo/"), NONE)).isTrue();
    assertThat(perms.covers(s("foo/bar"), NONE)).isTrue();
    assertThat(perms.covers(s("foo/"), s("foo0"))).isTrue();
    assertThat(perms.covers(s("foo/a"), s("foo/b"))).isTrue();
    assertThat(perms.covers(s("foo0"), NONE)).isFalse();
    assertThat(perms.covers(s("foo/"), s("foo1"))).isFalse();
    assertThat(perms.covers(s("foo/"), FROM_KEY)).isFalse();
    assertThat(perms.covers(s("foo"), NONE)).isFalse();
  }

  @Test
  void anOpenEndedPermissionCoversEverythingFromItsKey() {
    RangePermissions perms = of(s("m"), FROM_KEY);
    assertThat(perms.covers(s("m"), FROM_KEY)).isTrue();
    assertThat(perms.covers(s("zzz"), NONE)).isTrue();
    assertThat(perms.covers(bytes(0xff, 0xff), NONE)).isTrue();
    assertThat(perms.covers(s("l"), NONE)).isFalse();
    assertThat(perms.covers(s("l"), FROM_KEY)).isFalse();

    RangePermissions all = of(bytes(0), FROM_KEY); // key "\0", end "\0": every key
    assertThat(all.covers(bytes(0), FROM_KEY)).isTrue();
    assertThat(all.covers(s("a"), NONE)).isTrue();
  }

  @Test
  void adjacentAndOverlappingRangesMergeSoAReadAcrossThemIsCovered() {
    RangePermissions perms = of(s("a"), s("c"), s("c"), s("e"), s("d"), s("g"), s("k"), NONE);
    assertThat(perms.covers(s("a"), s("g"))).isTrue();
    assertThat(perms.covers(s("b"), s("g\0"))).isFalse();
    assertThat(perms.covers(s("f"), s("k"))).isFalse();
    assertThat(perms.covers(s("k"), NONE)).isTrue();
    assertThat(of(s("a"), s("b"), s("b\0"), s("c")).covers(s("a"), s("c"))).isFalse(); // b gap
    assertThat(of(s("a"), s("b"), s("b"), NONE, s("b\0"), s("c")).covers(s("a"), s("c"))).isTrue();
  }

  @Test
  void unsignedByteOrderIsUsed() {
    RangePermissions perms = of(bytes(0x7f), bytes(0x90));
    assertThat(perms.covers(bytes(0x80), NONE)).isTrue();
    assertThat(perms.covers(bytes(0xa0), NONE)).isFalse();
  }

  @Test
  void noPermissionsCoverNothing() {
    assertThat(RangePermissions.NONE.covers(s("a"), NONE)).isFalse();
    assertThat(RangePermissions.NONE.covers(bytes(0), FROM_KEY)).isFalse();
  }

  @Test
  void validPermissionRanges() {
    assertThat(RangePermissions.isValid(s("a"), NONE)).isTrue();
    assertThat(RangePermissions.isValid(s("a"), s("b"))).isTrue();
    assertThat(RangePermissions.isValid(s("a"), FROM_KEY)).isTrue();
    assertThat(RangePermissions.isValid(NONE, s("b"))).isFalse();
    assertThat(RangePermissions.isValid(s("b"), s("a"))).isFalse();
    assertThat(RangePermissions.isValid(s("a"), s("a"))).isFalse();
  }

  @Test
  void coverageMatchesABruteForceCheckOverASmallKeySpace() {
    Random random = new Random(7);
    for (int round = 0; round < 300; round++) {
      List<ByteString[]> ranges = new ArrayList<>();
      boolean[] allowed = new boolean[8]; // keys "a".."h" (one letter)
      for (int n = random.nextInt(4); n > 0; n--) {
        int from = random.nextInt(8);
        int to = from + 1 + random.nextInt(8 - from);
        boolean single = random.nextBoolean();
        ranges.add(
            new ByteString[] {letter(from), single ? NONE : to == 8 ? FROM_KEY : letter(to)});
        for (int k = from; k < (single ? from + 1 : to); k++) {
          allowed[k] = true;
        }
      }
      RangePermissions perms = RangePermissions.of(ranges);
      for (int from = 0; from < 8; from++) {
        assertThat(perms.covers(letter(from), NONE)).isEqualTo(allowed[from]);
        boolean all = true;
        for (int to = from + 1; to <= 8; to++) {
          all &= allowed[to - 1];
          // A multi-letter end check only holds when no single-key hole hides in between, which
          // one-letter keys cannot express; compare on the letters' own span.
          if (ranges.stream().noneMatch(r -> r[1].isEmpty())) {
            assertThat(perms.covers(letter(from), to == 8 ? FROM_KEY : letter(to))).isEqualTo(all);
          }
        }
      }
    }
  }

  private static ByteString letter(int i) {
    return s(String.valueOf((char) ('a' + i)));
  }
}
