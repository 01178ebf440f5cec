package io.ketch.auth;

import java.security.SecureRandom;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * etcd's "simple" tokens: 16 random letters, ".", and the raft index of the Authenticate entry that
 * assigned it. Every member assigns the token when it applies that entry, so a token works on any
 * member. A token not used for the TTL expires; using it starts the TTL again. Tokens live in
 * memory only, as in etcd. Thread-safe.
 */
final class SimpleTokens {

  private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final int PREFIX_LENGTH = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Assigned(String user, long expiresAtMillis) {}

  private final LongSupplier clockMillis;
  private final long ttlMillis;

  /** In access order: the least recently used (soonest to expire) first. */
  private final LinkedHashMap<String, Assigned> tokens = new LinkedHashMap<>(16, 0.75f, true);

  SimpleTokens(LongSupplier clockMillis, long ttlMillis) {
    this.clockMillis = clockMillis;
    this.ttlMillis = ttlMillis;
  }

  static String newPrefix() {
    StringBuilder prefix = new StringBuilder(PREFIX_LENGTH);
    for (int i = 0; i < PREFIX_LENGTH; i++) {
      prefix.append(LETTERS.charAt(RANDOM.nextInt(LETTERS.length())));
    }
    return prefix.toString();
  }

  /** The raft index a token was assigned at, or -1 if it is not shaped like a simple token. */
  static long index(String token) {
    int dot = token.indexOf('.');
    if (dot < 0 || dot != token.lastIndexOf('.')) {
      return -1;
    }
    try {
      return Long.parseUnsignedLong(token.substring(dot + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  synchronized String assign(String user, String prefix, long index) {
    long now = clockMillis.getAsLong();
    dropExpired(now);
    String token = prefix + "." + index;
    tokens.put(token, new Assigned(user, now + ttlMillis));
    return token;
  }

  /** The token's user, restarting its TTL; empty if unknown or expired. */
  synchronized Optional<String> user(String token) {
    long now = clockMillis.getAsLong();
    dropExpired(now);
    Assigned assigned = tokens.get(token);
    if (assigned == null) {
      return Optional.empty();
    }
    tokens.put(token, new Assigned(assigned.user(), now + ttlMillis));
    return Optional.of(assigned.user());
  }

  synchronized void invalidateUser(String user) {
    tokens.values().removeIf(assigned -> assigned.user().equals(user));
  }

  synchronized void clear() {
    tokens.clear();
  }

  synchronized int size() {
    return tokens.size();
  }

  /** Access order is expiry order, so expired tokens are all at the head. */
  private void dropExpired(long now) {
    Iterator<Map.Entry<String, Assigned>> it = tokens.entrySet().iterator();
    while (it.hasNext() && it.next().getValue().expiresAtMillis() <= now) {
      it.remove();
    }
  }
}
