package io.ketch.auth;

import com.google.protobuf.ByteString;
import io.ketch.pb.auth.Permission;
import io.ketch.pb.auth.Role;
import io.ketch.pb.auth.User;
import io.ketch.pb.etcdserver.AuthDisableResponse;
import io.ketch.pb.etcdserver.AuthEnableResponse;
import io.ketch.pb.etcdserver.AuthRoleAddRequest;
import io.ketch.pb.etcdserver.AuthRoleAddResponse;
import io.ketch.pb.etcdserver.AuthRoleDeleteRequest;
import io.ketch.pb.etcdserver.AuthRoleDeleteResponse;
import io.ketch.pb.etcdserver.AuthRoleGetRequest;
import io.ketch.pb.etcdserver.AuthRoleGetResponse;
import io.ketch.pb.etcdserver.AuthRoleGrantPermissionRequest;
import io.ketch.pb.etcdserver.AuthRoleGrantPermissionResponse;
import io.ketch.pb.etcdserver.AuthRoleListResponse;
import io.ketch.pb.etcdserver.AuthRoleRevokePermissionRequest;
import io.ketch.pb.etcdserver.AuthRoleRevokePermissionResponse;
import io.ketch.pb.etcdserver.AuthStatusResponse;
import io.ketch.pb.etcdserver.AuthUserAddRequest;
import io.ketch.pb.etcdserver.AuthUserAddResponse;
import io.ketch.pb.etcdserver.AuthUserChangePasswordRequest;
import io.ketch.pb.etcdserver.AuthUserChangePasswordResponse;
import io.ketch.pb.etcdserver.AuthUserDeleteRequest;
import io.ketch.pb.etcdserver.AuthUserDeleteResponse;
import io.ketch.pb.etcdserver.AuthUserGetRequest;
import io.ketch.pb.etcdserver.AuthUserGetResponse;
import io.ketch.pb.etcdserver.AuthUserGrantRoleRequest;
import io.ketch.pb.etcdserver.AuthUserGrantRoleResponse;
import io.ketch.pb.etcdserver.AuthUserListResponse;
import io.ketch.pb.etcdserver.AuthUserRevokeRoleRequest;
import io.ketch.pb.etcdserver.AuthUserRevokeRoleResponse;
import io.ketch.pb.etcdserver.AuthenticateResponse;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * etcd's auth store (server/auth/store.go): users, roles, their key-range permissions, whether auth
 * is enabled, the auth revision, and simple tokens.
 *
 * <p>Who calls what:
 *
 * <ul>
 *   <li>The apply thread, for entries that went through the log: {@link #authEnable}, {@link
 *       #authDisable}, {@link #authenticate}, the user and role changes ({@code userAdd} ... {@code
 *       roleRevokePermission}), {@link #writeSnapshot}, {@link #restoreSnapshot}. Each takes the
 *       etcd request message and returns the response message without its header.
 *   <li>Request (gRPC) threads: {@link #hashPassword} and {@link #checkPassword} (slow by design,
 *       so never on the apply thread), {@link #newTokenPrefix}, {@link #authInfo} (token to user),
 *       the permission checks, the reads ({@link #authStatus}, {@link #userGet}, {@link #userList},
 *       {@link #roleGet}, {@link #roleList}).
 * </ul>
 *
 * A read-write lock lets the checks run concurrently with each other and exclusively with the apply
 * thread's changes. The per-user merged range permissions are cached and dropped on every change
 * that could alter them.
 *
 * <p>Authenticate follows etcd's split: the request thread checks the password ({@link
 * #checkPassword}) and picks a token prefix; the member proposes (name, prefix) without the
 * password; applying it ({@link #authenticate}) assigns the token {@code prefix.index} on every
 * member. A token is valid on a member once that member has applied its index ({@link
 * #tokenIndex}), which the member should wait for before {@link #authInfo}, as etcd does.
 */
public final class AuthStore {

  public static final String ROOT = "root";

  private static final Permission ROOT_PERMISSION =
      Permission.newBuilder()
          .setPermType(Permission.Type.READWRITE)
          .setKey(ByteString.EMPTY)
          .setRangeEnd(ByteString.copyFrom(new byte[] {0}))
          .build();
  private static final int SNAPSHOT_VERSION = 1;

  private record MergedPermissions(RangePermissions read, RangePermissions write) {}

  private final AuthConfig config;
  private final SimpleTokens tokens;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  // Guarded by lock.
  private boolean enabled;
  private long revision = 1; // etcd starts a fresh store at revision 1
  private final TreeMap<String, User> users = new TreeMap<>();
  private final TreeMap<String, Role> roles = new TreeMap<>();

  /** Per user; filled under the read lock, emptied under the write lock. */
  private final Map<String, MergedPermissions> permissionCache = new ConcurrentHashMap<>();

  /**
   * @param clockMillis a monotonic clock in milliseconds, for token expiry
   */
  public AuthStore(AuthConfig config, LongSupplier clockMillis) {
    this.config = config;
    this.tokens = new SimpleTokens(clockMillis, config.tokenTtlMillis());
  }

  // ---- enable, disable, status ----

  /**
   * Turns auth on; a no-op if it is on. Requires user root holding role root. Does not change the
   * revision (as in etcd).
   */
  public AuthEnableResponse authEnable() {
    return write(
        () -> {
          if (enabled) {
            return AuthEnableResponse.getDefaultInstance();
          }
          User root = users.get(ROOT);
          if (root == null) {
            throw new AuthException(AuthException.Kind.ROOT_USER_NOT_EXIST);
          }
          if (!root.getRolesList().contains(ROOT)) {
            throw new AuthException(AuthException.Kind.ROOT_ROLE_NOT_EXIST);
          }
          enabled = true;
          permissionCache.clear();
          return AuthEnableResponse.getDefaultInstance();
        });
  }

  /** Turns auth off and drops every token; a no-op if it is off. */
  public AuthDisableResponse authDisable() {
    return write(
        () -> {
          if (enabled) {
            enabled = false;
            tokens.clear();
            revision++;
          }
          return AuthDisableResponse.getDefaultInstance();
        });
  }

  public AuthStatusResponse authStatus() {
    return read(
        () ->
            AuthStatusResponse.newBuilder().setEnabled(enabled).setAuthRevision(revision).build());
  }

  public boolean isEnabled() {
    return read(() -> enabled);
  }

  public long revision() {
    return read(() -> revision);
  }

  // ---- passwords and tokens ----

  /**
   * Hashes a password for AuthUserAdd / AuthUserChangePassword's {@code hashedPassword}, on the
   * request thread, so the plain password never enters the log.
   */
  public String hashPassword(String password) {
    return PasswordHash.hash(password, config.passwordHashIterations());
  }

  /**
   * Checks a user's password (request thread; slow by design).
   *
   * @return the auth revision it was checked at
   * @throws AuthException AUTH_NOT_ENABLED, AUTH_FAILED (unknown user, no-password user, wrong
   *     password)
   */
  public long checkPassword(String name, String password) {
    User user;
    long checkedAt;
    lock.readLock().lock();
    try {
      if (!enabled) {
        throw new AuthException(AuthException.Kind.AUTH_NOT_ENABLED);
      }
      user = users.get(name);
      checkedAt = revision;
    } finally {
      lock.readLock().unlock();
    }
    if (user == null
        || user.getOptions().getNoPassword()
        || !PasswordHash.matches(password, user.getPassword().toStringUtf8())) {
      throw new AuthException(AuthException.Kind.AUTH_FAILED);
    }
    return checkedAt;
  }

  /** A fresh random prefix for a simple token, picked on the request thread before proposing. */
  public static String newTokenPrefix() {
    return SimpleTokens.newPrefix();
  }

  /** The raft index a simple token was assigned at, or -1 if it is not a simple token. */
  public static long tokenIndex(String token) {
    return SimpleTokens.index(token);
  }

  /**
   * Applies an Authenticate entry at raft index {@code index}: assigns token {@code prefix.index}
   * to the user.
   *
   * @throws AuthException AUTH_NOT_ENABLED, AUTH_FAILED (user gone, or a no-password user)
   */
  public AuthenticateResponse authenticate(String name, String tokenPrefix, long index) {
    return read(
        () -> {
          if (!enabled) {
            throw new AuthException(AuthException.Kind.AUTH_NOT_ENABLED);
          }
          User user = users.get(name);
          if (user == null || user.getOptions().getNoPassword()) {
            throw new AuthException(AuthException.Kind.AUTH_FAILED);
          }
          return AuthenticateResponse.newBuilder()
              .setToken(tokens.assign(name, tokenPrefix, index))
              .build();
        });
  }

  /**
   * Who a token belongs to, at the current revision; using a token restarts its TTL.
   *
   * @throws AuthException INVALID_AUTH_TOKEN if unknown or expired
   */
  public AuthInfo authInfo(String token) {
    String user =
        tokens
            .user(token)
            .orElseThrow(() -> new AuthException(AuthException.Kind.INVALID_AUTH_TOKEN));
    return new AuthInfo(user, revision());
  }

  // ---- users (apply thread) ----

  /**
   * Adds a user. Its password is {@code hashedPassword} (from {@link #hashPassword}); a request
   * with only a plain password (etcd before 3.5 logged those) is hashed here. With the {@code
   * no_password} option the user has none and cannot authenticate (only TLS common names could
   * vouch for it).
   */
  public AuthUserAddResponse userAdd(AuthUserAddRequest request) {
    return write(
        () -> {
          String name = request.getName();
          if (name.isEmpty()) {
            throw new AuthException(AuthException.Kind.USER_EMPTY);
          }
          if (users.containsKey(name)) {
            throw new AuthException(AuthException.Kind.USER_ALREADY_EXIST);
          }
          User.Builder user =
              User.newBuilder().setName(utf8(name)).setOptions(request.getOptions());
          if (!request.getOptions().getNoPassword()) {
            user.setPassword(storedPassword(request.getPassword(), request.getHashedPassword()));
          }
          users.put(name, user.build());
          revision++;
          return AuthUserAddResponse.getDefaultInstance();
        });
  }

  /** Deletes a user and its tokens; root cannot be deleted while auth is on. */
  public AuthUserDeleteResponse userDelete(AuthUserDeleteRequest request) {
    return write(
        () -> {
          String name = request.getName();
          if (enabled && name.equals(ROOT)) {
            throw new AuthException(AuthException.Kind.INVALID_AUTH_MGMT);
          }
          if (users.remove(name) == null) {
            throw new AuthException(AuthException.Kind.USER_NOT_FOUND);
          }
          permissionCache.remove(name);
          tokens.invalidateUser(name);
          revision++;
          return AuthUserDeleteResponse.getDefaultInstance();
        });
  }

  /** Changes a password (a no-password user keeps none) and drops the user's tokens. */
  public AuthUserChangePasswordResponse userChangePassword(AuthUserChangePasswordRequest request) {
    return write(
        () -> {
          User user = existingUser(request.getName());
          User.Builder changed = user.toBuilder().clearPassword();
          if (!user.getOptions().getNoPassword()) {
            changed.setPassword(storedPassword(request.getPassword(), request.getHashedPassword()));
          }
          users.put(request.getName(), changed.build());
          tokens.invalidateUser(request.getName());
          revision++;
          return AuthUserChangePasswordResponse.getDefaultInstance();
        });
  }

  /**
   * Grants a role (root may be granted before a root role exists, as in etcd). Granting a role the
   * user has is a no-op that leaves the revision alone.
   */
  public AuthUserGrantRoleResponse userGrantRole(AuthUserGrantRoleRequest request) {
    return write(
        () -> {
          User user = existingUser(request.getUser());
          String role = request.getRole();
          if (!role.equals(ROOT) && !roles.containsKey(role)) {
            throw new AuthException(AuthException.Kind.ROLE_NOT_FOUND);
          }
          if (user.getRolesList().contains(role)) {
            return AuthUserGrantRoleResponse.getDefaultInstance();
          }
          List<String> granted = new ArrayList<>(user.getRolesList());
          granted.add(role);
          granted.sort(null);
          users.put(request.getUser(), user.toBuilder().clearRoles().addAllRoles(granted).build());
          permissionCache.remove(request.getUser());
          revision++;
          return AuthUserGrantRoleResponse.getDefaultInstance();
        });
  }

  /** Revokes a role; root's root role cannot be revoked while auth is on. */
  public AuthUserRevokeRoleResponse userRevokeRole(AuthUserRevokeRoleRequest request) {
    return write(
        () -> {
          if (enabled && request.getName().equals(ROOT) && request.getRole().equals(ROOT)) {
            throw new AuthException(AuthException.Kind.INVALID_AUTH_MGMT);
          }
          User user = existingUser(request.getName());
          List<String> remaining = new ArrayList<>(user.getRolesList());
          if (!remaining.remove(request.getRole())) {
            throw new AuthException(AuthException.Kind.ROLE_NOT_GRANTED);
          }
          users.put(
              request.getName(), user.toBuilder().clearRoles().addAllRoles(remaining).build());
          permissionCache.remove(request.getName());
          revision++;
          return AuthUserRevokeRoleResponse.getDefaultInstance();
        });
  }

  public AuthUserGetResponse userGet(AuthUserGetRequest request) {
    return read(
        () ->
            AuthUserGetResponse.newBuilder()
                .addAllRoles(existingUser(request.getName()).getRolesList())
                .build());
  }

  /** User names in name order. */
  public AuthUserListResponse userList() {
    return read(() -> AuthUserListResponse.newBuilder().addAllUsers(users.keySet()).build());
  }

  // ---- roles (apply thread) ----

  public AuthRoleAddResponse roleAdd(AuthRoleAddRequest request) {
    return write(
        () -> {
          String name = request.getName();
          if (name.isEmpty()) {
            throw new AuthException(AuthException.Kind.ROLE_EMPTY);
          }
          if (roles.containsKey(name)) {
            throw new AuthException(AuthException.Kind.ROLE_ALREADY_EXIST);
          }
          roles.put(name, Role.newBuilder().setName(utf8(name)).build());
          revision++;
          return AuthRoleAddResponse.getDefaultInstance();
        });
  }

  /** Deletes a role and takes it from every user; root's cannot be deleted while auth is on. */
  public AuthRoleDeleteResponse roleDelete(AuthRoleDeleteRequest request) {
    return write(
        () -> {
          String name = request.getRole();
          if (enabled && name.equals(ROOT)) {
            throw new AuthException(AuthException.Kind.INVALID_AUTH_MGMT);
          }
          if (roles.remove(name) == null) {
            throw new AuthException(AuthException.Kind.ROLE_NOT_FOUND);
          }
          for (User user : List.copyOf(users.values())) {
            if (user.getRolesList().contains(name)) {
              List<String> remaining = new ArrayList<>(user.getRolesList());
              remaining.remove(name);
              users.put(
                  user.getName().toStringUtf8(),
                  user.toBuilder().clearRoles().addAllRoles(remaining).build());
            }
          }
          permissionCache.clear();
          revision++;
          return AuthRoleDeleteResponse.getDefaultInstance();
        });
  }

  /**
   * Grants a permission on a key, a range [key, range_end), or every key from key on (range_end
   * "\0"); granting the same key and range_end again replaces its type. Permissions stay in key
   * order.
   *
   * @throws AuthException PERMISSION_NOT_GIVEN, ROLE_NOT_FOUND, INVALID_AUTH_MGMT for an empty key
   *     or a range_end not after the key
   */
  public AuthRoleGrantPermissionResponse roleGrantPermission(
      AuthRoleGrantPermissionRequest request) {
    return write(
        () -> {
          if (!request.hasPerm()) {
            throw new AuthException(AuthException.Kind.PERMISSION_NOT_GIVEN);
          }
          Role role = existingRole(request.getName());
          Permission perm = request.getPerm();
          if (!RangePermissions.isValid(perm.getKey(), perm.getRangeEnd())) {
            throw new AuthException(AuthException.Kind.INVALID_AUTH_MGMT);
          }
          List<Permission> perms = new ArrayList<>(role.getKeyPermissionList());
          perms.removeIf(p -> sameRange(p, perm.getKey(), perm.getRangeEnd()));
          perms.add(perm);
          perms.sort(
              (a, b) ->
                  ByteString.unsignedLexicographicalComparator().compare(a.getKey(), b.getKey()));
          roles.put(
              request.getName(),
              role.toBuilder().clearKeyPermission().addAllKeyPermission(perms).build());
          permissionCache.clear();
          revision++;
          return AuthRoleGrantPermissionResponse.getDefaultInstance();
        });
  }

  /** Revokes the permission with exactly this key and range_end. */
  public AuthRoleRevokePermissionResponse roleRevokePermission(
      AuthRoleRevokePermissionRequest request) {
    return write(
        () -> {
          Role role = existingRole(request.getRole());
          List<Permission> perms = new ArrayList<>(role.getKeyPermissionList());
          if (!perms.removeIf(p -> sameRange(p, request.getKey(), request.getRangeEnd()))) {
            throw new AuthException(AuthException.Kind.PERMISSION_NOT_GRANTED);
          }
          roles.put(
              request.getRole(),
              role.toBuilder().clearKeyPermission().addAllKeyPermission(perms).build());
          permissionCache.clear();
          revision++;
          return AuthRoleRevokePermissionResponse.getDefaultInstance();
        });
  }

  /** A role's permissions; the root role shows its implicit read-write on every key. */
  public AuthRoleGetResponse roleGet(AuthRoleGetRequest request) {
    return read(
        () -> {
          Role role = existingRole(request.getRole());
          return AuthRoleGetResponse.newBuilder()
              .addAllPerm(
                  request.getRole().equals(ROOT)
                      ? List.of(ROOT_PERMISSION)
                      : role.getKeyPermissionList())
              .build();
        });
  }

  /** Role names in name order. */
  public AuthRoleListResponse roleList() {
    return read(() -> AuthRoleListResponse.newBuilder().addAllRoles(roles.keySet()).build());
  }

  // ---- permission checks (request threads, and the apply thread when re-checking) ----

  /**
   * May {@code who} read [key, rangeEnd)? Always yes while auth is off.
   *
   * @param who null when the request carried no token
   * @throws AuthException USER_EMPTY (no user), AUTH_OLD_REVISION, PERMISSION_DENIED
   */
  public void checkRange(AuthInfo who, ByteString key, ByteString rangeEnd) {
    checkOp(who, key, rangeEnd, false);
  }

  /** May {@code who} put {@code key}? Same rules as {@link #checkRange}. */
  public void checkPut(AuthInfo who, ByteString key) {
    checkOp(who, key, ByteString.EMPTY, true);
  }

  /** May {@code who} delete [key, rangeEnd)? Same rules as {@link #checkRange}. */
  public void checkDeleteRange(AuthInfo who, ByteString key, ByteString rangeEnd) {
    checkOp(who, key, rangeEnd, true);
  }

  /**
   * May {@code who} administer (auth, membership, ...)? Holders of the root role only.
   *
   * @throws AuthException USER_EMPTY, USER_NOT_FOUND, PERMISSION_DENIED
   */
  public void checkAdmin(AuthInfo who) {
    read(
        () -> {
          if (!enabled) {
            return null;
          }
          if (who == null || who.user().isEmpty()) {
            throw new AuthException(AuthException.Kind.USER_EMPTY);
          }
          User user = users.get(who.user());
          if (user == null) {
            throw new AuthException(AuthException.Kind.USER_NOT_FOUND);
          }
          if (!user.getRolesList().contains(ROOT)) {
            throw new AuthException(AuthException.Kind.PERMISSION_DENIED);
          }
          return null;
        });
  }

  /** Boolean forms of the checks, for callers that only branch. */
  public boolean isRangePermitted(AuthInfo who, ByteString key, ByteString rangeEnd) {
    return permitted(() -> checkRange(who, key, rangeEnd));
  }

  public boolean isPutPermitted(AuthInfo who, ByteString key) {
    return permitted(() -> checkPut(who, key));
  }

  public boolean isDeleteRangePermitted(AuthInfo who, ByteString key, ByteString rangeEnd) {
    return permitted(() -> checkDeleteRange(who, key, rangeEnd));
  }

  public boolean isAdmin(AuthInfo who) {
    return permitted(() -> checkAdmin(who));
  }

  // ---- snapshot (apply thread) ----

  /** Writes enabled, revision, users and roles, in name order (equal states, equal bytes). */
  public void writeSnapshot(DataOutput out) throws IOException {
    lock.readLock().lock();
    try {
      out.writeInt(SNAPSHOT_VERSION);
      out.writeBoolean(enabled);
      out.writeLong(revision);
      out.writeInt(users.size());
      for (User user : users.values()) {
        writeMessage(out, user.toByteArray());
      }
      out.writeInt(roles.size());
      for (Role role : roles.values()) {
        writeMessage(out, role.toByteArray());
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Replaces the whole state with a snapshot's; tokens survive unless auth ends up off. */
  public void restoreSnapshot(DataInput in) throws IOException {
    int version = in.readInt();
    if (version != SNAPSHOT_VERSION) {
      throw new IOException("unknown auth snapshot version " + version);
    }
    boolean restoredEnabled = in.readBoolean();
    long restoredRevision = in.readLong();
    TreeMap<String, User> restoredUsers = new TreeMap<>();
    for (int n = in.readInt(); n > 0; n--) {
      User user = User.parseFrom(readMessage(in));
      restoredUsers.put(user.getName().toStringUtf8(), user);
    }
    TreeMap<String, Role> restoredRoles = new TreeMap<>();
    for (int n = in.readInt(); n > 0; n--) {
      Role role = Role.parseFrom(readMessage(in));
      restoredRoles.put(role.getName().toStringUtf8(), role);
    }
    write(
        () -> {
          enabled = restoredEnabled;
          revision = restoredRevision;
          users.clear();
          users.putAll(restoredUsers);
          roles.clear();
          roles.putAll(restoredRoles);
          permissionCache.clear();
          if (!enabled) {
            tokens.clear();
          }
          return null;
        });
  }

  // ---- internals ----

  private void checkOp(AuthInfo who, ByteString key, ByteString rangeEnd, boolean write) {
    read(
        () -> {
          if (!enabled) {
            return null;
          }
          if (who == null || who.revision() == 0) {
            throw new AuthException(AuthException.Kind.USER_EMPTY);
          }
          if (who.revision() < revision) {
            throw new AuthException(AuthException.Kind.AUTH_OLD_REVISION);
          }
          User user = users.get(who.user());
          if (user == null) {
            throw new AuthException(AuthException.Kind.PERMISSION_DENIED);
          }
          if (user.getRolesList().contains(ROOT)) {
            return null;
          }
          MergedPermissions merged = permissionCache.computeIfAbsent(who.user(), n -> merge(user));
          if (!(write ? merged.write() : merged.read()).covers(key, rangeEnd)) {
            throw new AuthException(AuthException.Kind.PERMISSION_DENIED);
          }
          return null;
        });
  }

  /** Under the read lock: the union of the user's roles' ranges, per access kind. */
  private MergedPermissions merge(User user) {
    List<ByteString[]> readable = new ArrayList<>();
    List<ByteString[]> writable = new ArrayList<>();
    for (String roleName : user.getRolesList()) {
      Role role = roles.get(roleName);
      if (role == null) {
        continue;
      }
      for (Permission perm : role.getKeyPermissionList()) {
        ByteString[] range = {perm.getKey(), perm.getRangeEnd()};
        if (perm.getPermType() != Permission.Type.WRITE) {
          readable.add(range);
        }
        if (perm.getPermType() != Permission.Type.READ) {
          writable.add(range);
        }
      }
    }
    return new MergedPermissions(RangePermissions.of(readable), RangePermissions.of(writable));
  }

  private ByteString storedPassword(String password, String hashedPassword) {
    String hash =
        hashedPassword.isEmpty()
            ? PasswordHash.hash(password, config.passwordHashIterations())
            : hashedPassword;
    return ByteString.copyFrom(PasswordHash.toBytes(hash));
  }

  private User existingUser(String name) {
    User user = users.get(name);
    if (user == null) {
      throw new AuthException(AuthException.Kind.USER_NOT_FOUND);
    }
    return user;
  }

  private Role existingRole(String name) {
    Role role = roles.get(name);
    if (role == null) {
      throw new AuthException(AuthException.Kind.ROLE_NOT_FOUND);
    }
    return role;
  }

  private static boolean sameRange(Permission perm, ByteString key, ByteString rangeEnd) {
    return perm.getKey().equals(key) && perm.getRangeEnd().equals(rangeEnd);
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  private static boolean permitted(Runnable check) {
    try {
      check.run();
      return true;
    } catch (AuthException e) {
      return false;
    }
  }

  private <T> T read(Supplier<T> body) {
    lock.readLock().lock();
    try {
      return body.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  private <T> T write(Supplier<T> body) {
    lock.writeLock().lock();
    try {
      return body.get();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void writeMessage(DataOutput out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static byte[] readMessage(DataInput in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return bytes;
  }
}
