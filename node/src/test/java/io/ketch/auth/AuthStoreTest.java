package io.ketch.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ketch.pb.auth.Permission;
import io.ketch.pb.auth.UserAddOptions;
import io.ketch.pb.etcdserver.AuthRoleAddRequest;
import io.ketch.pb.etcdserver.AuthRoleDeleteRequest;
import io.ketch.pb.etcdserver.AuthRoleGetRequest;
import io.ketch.pb.etcdserver.AuthRoleGrantPermissionRequest;
import io.ketch.pb.etcdserver.AuthRoleRevokePermissionRequest;
import io.ketch.pb.etcdserver.AuthUserAddRequest;
import io.ketch.pb.etcdserver.AuthUserChangePasswordRequest;
import io.ketch.pb.etcdserver.AuthUserDeleteRequest;
import io.ketch.pb.etcdserver.AuthUserGetRequest;
import io.ketch.pb.etcdserver.AuthUserGrantRoleRequest;
import io.ketch.pb.etcdserver.AuthUserRevokeRoleRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class AuthStoreTest {

  private static final ByteString NONE = ByteString.EMPTY;
  private static final ByteString FROM_KEY = ByteString.copyFrom(new byte[] {0});

  private long now = 0;
  private final AuthStore auth = new AuthStore(new AuthConfig(300_000, 1_000), () -> now);
  private long index = 100;

  private static ByteString s(String value) {
    return ByteString.copyFromUtf8(value);
  }

  private static AuthException.Kind kindOf(Runnable call) {
    try {
      call.run();
    } catch (AuthException e) {
      return e.kind();
    }
    throw new AssertionError("no AuthException");
  }

  private void addUser(String name, String password) {
    auth.userAdd(
        AuthUserAddRequest.newBuilder()
            .setName(name)
            .setHashedPassword(auth.hashPassword(password))
            .build());
  }

  private void addRole(String name) {
    auth.roleAdd(AuthRoleAddRequest.newBuilder().setName(name).build());
  }

  private void grantRole(String user, String role) {
    auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser(user).setRole(role).build());
  }

  private void grantPermission(String role, Permission.Type type, ByteString key, ByteString end) {
    auth.roleGrantPermission(
        AuthRoleGrantPermissionRequest.newBuilder()
            .setName(role)
            .setPerm(Permission.newBuilder().setPermType(type).setKey(key).setRangeEnd(end))
            .build());
  }

  private void enableWithRoot() {
    addUser("root", "rootpw");
    addRole("root");
    grantRole("root", "root");
    auth.authEnable();
  }

  /** What the member does for Authenticate: check on the request thread, then apply. */
  private String login(String name, String password) {
    auth.checkPassword(name, password);
    return auth.authenticate(name, AuthStore.newTokenPrefix(), index++).getToken();
  }

  private AuthInfo current(String user) {
    return new AuthInfo(user, auth.revision());
  }

  @Test
  void errorsCarryEtcdsClientFacingMessages() {
    assertThatThrownBy(() -> auth.authEnable())
        .isInstanceOf(AuthException.class)
        .hasMessage("etcdserver: root user does not exist");
    addUser("root", "pw");
    assertThatThrownBy(() -> auth.authEnable())
        .hasMessage("etcdserver: root user does not have root role");
    assertThatThrownBy(() -> addUser("root", "pw"))
        .hasMessage("etcdserver: user name already exists");
    assertThatThrownBy(() -> addUser("", "pw")).hasMessage("etcdserver: user name is empty");
    assertThatThrownBy(() -> auth.userGet(AuthUserGetRequest.newBuilder().setName("x").build()))
        .hasMessage("etcdserver: user name not found");
    assertThatThrownBy(() -> addRole("")).hasMessage("etcdserver: role name is empty");
    addRole("r");
    assertThatThrownBy(() -> addRole("r")).hasMessage("etcdserver: role name already exists");
    assertThatThrownBy(() -> grantRole("root", "x")).hasMessage("etcdserver: role name not found");
    assertThatThrownBy(() -> auth.checkPassword("root", "pw"))
        .hasMessage("etcdserver: authentication is not enabled");
    assertThatThrownBy(() -> auth.authInfo("nope.1")).hasMessage("etcdserver: invalid auth token");
  }

  @Test
  void authEnableNeedsRootWithTheRootRoleAndKeepsTheRevision() {
    assertThat(kindOf(auth::authEnable)).isEqualTo(AuthException.Kind.ROOT_USER_NOT_EXIST);
    addUser("root", "pw");
    assertThat(kindOf(auth::authEnable)).isEqualTo(AuthException.Kind.ROOT_ROLE_NOT_EXIST);
    grantRole("root", "root"); // the root role may be granted before it exists, as in etcd
    long before = auth.revision();
    auth.authEnable();
    assertThat(auth.authStatus().getEnabled()).isTrue();
    assertThat(auth.authStatus().getAuthRevision()).isEqualTo(before);
    auth.authEnable(); // already on: no-op
    assertThat(auth.revision()).isEqualTo(before);
  }

  @Test
  void authDisableBumpsTheRevisionAndDropsTokens() {
    enableWithRoot();
    String token = login("root", "rootpw");
    long before = auth.revision();
    auth.authDisable();
    assertThat(auth.authStatus().getEnabled()).isFalse();
    assertThat(auth.revision()).isEqualTo(before + 1);
    assertThat(kindOf(() -> auth.authInfo(token))).isEqualTo(AuthException.Kind.INVALID_AUTH_TOKEN);
    auth.authDisable(); // already off: no-op
    assertThat(auth.revision()).isEqualTo(before + 1);
  }

  @Test
  void aFreshStoreIsAtRevisionOneAndEveryChangeBumpsIt() {
    assertThat(auth.authStatus().getAuthRevision()).isEqualTo(1);
    assertThat(auth.authStatus().getEnabled()).isFalse();
    addUser("u", "pw");
    assertThat(auth.revision()).isEqualTo(2);
    addRole("r");
    grantRole("u", "r");
    grantRole("u", "r"); // already granted: no change, no bump
    assertThat(auth.revision()).isEqualTo(4);
    grantPermission("r", Permission.Type.READ, s("k"), NONE);
    auth.roleRevokePermission(
        AuthRoleRevokePermissionRequest.newBuilder().setRole("r").setKey(s("k")).build());
    auth.userRevokeRole(AuthUserRevokeRoleRequest.newBuilder().setName("u").setRole("r").build());
    auth.userChangePassword(
        AuthUserChangePasswordRequest.newBuilder()
            .setName("u")
            .setHashedPassword(auth.hashPassword("new"))
            .build());
    auth.roleDelete(AuthRoleDeleteRequest.newBuilder().setRole("r").build());
    auth.userDelete(AuthUserDeleteRequest.newBuilder().setName("u").build());
    assertThat(auth.revision()).isEqualTo(10);
  }

  @Test
  void failedChangesLeaveTheRevisionAlone() {
    addUser("u", "pw");
    long before = auth.revision();
    kindOf(() -> addUser("u", "pw"));
    kindOf(() -> grantRole("u", "missing"));
    kindOf(() -> auth.roleDelete(AuthRoleDeleteRequest.newBuilder().setRole("missing").build()));
    assertThat(auth.revision()).isEqualTo(before);
  }

  @Test
  void usersAndTheirRoles() {
    addUser("bob", "pw");
    addUser("alice", "pw");
    addRole("writer");
    addRole("reader");
    grantRole("bob", "writer");
    grantRole("bob", "reader");
    assertThat(auth.userList().getUsersList()).containsExactly("alice", "bob");
    assertThat(auth.userGet(AuthUserGetRequest.newBuilder().setName("bob").build()).getRolesList())
        .containsExactly("reader", "writer");

    assertThat(
            kindOf(
                () ->
                    auth.userRevokeRole(
                        AuthUserRevokeRoleRequest.newBuilder()
                            .setName("alice")
                            .setRole("reader")
                            .build())))
        .isEqualTo(AuthException.Kind.ROLE_NOT_GRANTED);
    assertThat(
            kindOf(
                () ->
                    auth.userRevokeRole(
                        AuthUserRevokeRoleRequest.newBuilder().setName("x").setRole("r").build())))
        .isEqualTo(AuthException.Kind.USER_NOT_FOUND);
    assertThat(kindOf(() -> grantRole("x", "reader"))).isEqualTo(AuthException.Kind.USER_NOT_FOUND);

    auth.roleDelete(AuthRoleDeleteRequest.newBuilder().setRole("reader").build());
    assertThat(auth.userGet(AuthUserGetRequest.newBuilder().setName("bob").build()).getRolesList())
        .containsExactly("writer");
    assertThat(auth.roleList().getRolesList()).containsExactly("writer");

    auth.userDelete(AuthUserDeleteRequest.newBuilder().setName("bob").build());
    assertThat(auth.userList().getUsersList()).containsExactly("alice");
    assertThat(
            kindOf(
                () -> auth.userDelete(AuthUserDeleteRequest.newBuilder().setName("bob").build())))
        .isEqualTo(AuthException.Kind.USER_NOT_FOUND);
  }

  @Test
  void rolesAndTheirPermissions() {
    addRole("r");
    grantPermission("r", Permission.Type.WRITE, s("b"), NONE);
    grantPermission("r", Permission.Type.READ, s("a/"), s("a0"));
    grantPermission("r", Permission.Type.READ, s("b"), NONE); // same range: type replaced
    assertThat(auth.roleGet(AuthRoleGetRequest.newBuilder().setRole("r").build()).getPermList())
        .extracting(Permission::getKey, Permission::getPermType)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(s("a/"), Permission.Type.READ),
            org.assertj.core.groups.Tuple.tuple(s("b"), Permission.Type.READ));

    assertThat(
            kindOf(
                () ->
                    auth.roleRevokePermission(
                        AuthRoleRevokePermissionRequest.newBuilder()
                            .setRole("r")
                            .setKey(s("a/"))
                            .build())))
        .isEqualTo(AuthException.Kind.PERMISSION_NOT_GRANTED);
    auth.roleRevokePermission(
        AuthRoleRevokePermissionRequest.newBuilder()
            .setRole("r")
            .setKey(s("a/"))
            .setRangeEnd(s("a0"))
            .build());
    assertThat(auth.roleGet(AuthRoleGetRequest.newBuilder().setRole("r").build()).getPermCount())
        .isEqualTo(1);

    assertThat(
            kindOf(
                () ->
                    auth.roleGrantPermission(
                        AuthRoleGrantPermissionRequest.newBuilder().setName("r").build())))
        .isEqualTo(AuthException.Kind.PERMISSION_NOT_GIVEN);
    assertThat(kindOf(() -> grantPermission("x", Permission.Type.READ, s("k"), NONE)))
        .isEqualTo(AuthException.Kind.ROLE_NOT_FOUND);
    assertThat(kindOf(() -> grantPermission("r", Permission.Type.READ, s("b"), s("a"))))
        .isEqualTo(AuthException.Kind.INVALID_AUTH_MGMT);
    assertThat(kindOf(() -> auth.roleGet(AuthRoleGetRequest.newBuilder().setRole("x").build())))
        .isEqualTo(AuthException.Kind.ROLE_NOT_FOUND);
    assertThat(
            kindOf(
                () ->
                    auth.roleRevokePermission(
                        AuthRoleRevokePermissionRequest.newBuilder().setRole("x").build())))
        .isEqualTo(AuthException.Kind.ROLE_NOT_FOUND);
  }

  @Test
  void theRootRoleShowsReadWriteOnEveryKey() {
    addRole("root");
    Permission perm =
        auth.roleGet(AuthRoleGetRequest.newBuilder().setRole("root").build()).getPerm(0);
    assertThat(perm.getPermType()).isEqualTo(Permission.Type.READWRITE);
    assertThat(perm.getKey()).isEmpty();
    assertThat(perm.getRangeEnd()).isEqualTo(FROM_KEY);
  }

  @Test
  void rootCannotBeDismantledWhileAuthIsOn() {
    enableWithRoot();
    assertThat(
            kindOf(
                () -> auth.userDelete(AuthUserDeleteRequest.newBuilder().setName("root").build())))
        .isEqualTo(AuthException.Kind.INVALID_AUTH_MGMT);
    assertThat(
            kindOf(
                () ->
                    auth.userRevokeRole(
                        AuthUserRevokeRoleRequest.newBuilder()
                            .setName("root")
                            .setRole("root")
                            .build())))
        .isEqualTo(AuthException.Kind.INVALID_AUTH_MGMT);
    assertThat(
            kindOf(
                () -> auth.roleDelete(AuthRoleDeleteRequest.newBuilder().setRole("root").build())))
        .isEqualTo(AuthException.Kind.INVALID_AUTH_MGMT);
    auth.authDisable();
    auth.roleDelete(AuthRoleDeleteRequest.newBuilder().setRole("root").build());
    auth.userDelete(AuthUserDeleteRequest.newBuilder().setName("root").build());
    assertThat(auth.userList().getUsersList()).isEmpty();
  }

  @Test
  void passwordsAreStoredHashedAndChecked() {
    enableWithRoot();
    addUser("u", "secret");
    assertThat(auth.checkPassword("u", "secret")).isEqualTo(auth.revision());
    assertThat(kindOf(() -> auth.checkPassword("u", "wrong")))
        .isEqualTo(AuthException.Kind.AUTH_FAILED);
    assertThat(kindOf(() -> auth.checkPassword("nobody", "secret")))
        .isEqualTo(AuthException.Kind.AUTH_FAILED);

    auth.userChangePassword(
        AuthUserChangePasswordRequest.newBuilder()
            .setName("u")
            .setHashedPassword(auth.hashPassword("other"))
            .build());
    assertThat(kindOf(() -> auth.checkPassword("u", "secret")))
        .isEqualTo(AuthException.Kind.AUTH_FAILED);
    auth.checkPassword("u", "other");
    assertThat(
            kindOf(
                () ->
                    auth.userChangePassword(
                        AuthUserChangePasswordRequest.newBuilder().setName("x").build())))
        .isEqualTo(AuthException.Kind.USER_NOT_FOUND);

    // etcd before 3.5 logged plain passwords; those are hashed when applied.
    auth.userAdd(AuthUserAddRequest.newBuilder().setName("old").setPassword("plain").build());
    auth.checkPassword("old", "plain");
  }

  @Test
  void aNoPasswordUserCannotAuthenticate() {
    enableWithRoot();
    auth.userAdd(
        AuthUserAddRequest.newBuilder()
            .setName("cert")
            .setPassword("ignored")
            .setOptions(UserAddOptions.newBuilder().setNoPassword(true))
            .build());
    assertThat(kindOf(() -> auth.checkPassword("cert", "")))
        .isEqualTo(AuthException.Kind.AUTH_FAILED);
    assertThat(kindOf(() -> auth.authenticate("cert", "abc", 1)))
        .isEqualTo(AuthException.Kind.AUTH_FAILED);
    auth.userChangePassword(
        AuthUserChangePasswordRequest.newBuilder()
            .setName("cert")
            .setHashedPassword(auth.hashPassword("x"))
            .build());
    assertThat(kindOf(() -> auth.checkPassword("cert", "x")))
        .isEqualTo(AuthException.Kind.AUTH_FAILED);
  }

  @Test
  void simpleTokensHaveEtcdsShapeAndNameTheirUser() {
    enableWithRoot();
    String prefix = AuthStore.newTokenPrefix();
    assertThat(prefix).matches("[a-zA-Z]{16}");
    String token = auth.authenticate("root", prefix, 42).getToken();
    assertThat(token).isEqualTo(prefix + ".42");
    assertThat(AuthStore.tokenIndex(token)).isEqualTo(42);
    assertThat(AuthStore.tokenIndex("no-dot")).isEqualTo(-1);
    assertThat(AuthStore.tokenIndex("a.b.c")).isEqualTo(-1);
    assertThat(auth.authInfo(token)).isEqualTo(new AuthInfo("root", auth.revision()));
    assertThat(kindOf(() -> auth.authenticate("nobody", prefix, 43)))
        .isEqualTo(AuthException.Kind.AUTH_FAILED);
  }

  @Test
  void tokensExpireAfterTheirTtlUnlessUsed() {
    enableWithRoot();
    String idle = login("root", "rootpw");
    String used = login("root", "rootpw");
    now += 299_000;
    auth.authInfo(used); // restarts its TTL
    now += 1_000;
    assertThat(kindOf(() -> auth.authInfo(idle))).isEqualTo(AuthException.Kind.INVALID_AUTH_TOKEN);
    now += 298_999;
    assertThat(auth.authInfo(used).user()).isEqualTo("root");
    now += 300_000;
    assertThat(kindOf(() -> auth.authInfo(used))).isEqualTo(AuthException.Kind.INVALID_AUTH_TOKEN);
  }

  @Test
  void changingOrDeletingAUserDropsItsTokens() {
    enableWithRoot();
    addUser("u", "pw");
    String token = login("u", "pw");
    String rootToken = login("root", "rootpw");
    auth.userChangePassword(
        AuthUserChangePasswordRequest.newBuilder()
            .setName("u")
            .setHashedPassword(auth.hashPassword("pw2"))
            .build());
    assertThat(kindOf(() -> auth.authInfo(token))).isEqualTo(AuthException.Kind.INVALID_AUTH_TOKEN);
    String again = login("u", "pw2");
    auth.userDelete(AuthUserDeleteRequest.newBuilder().setName("u").build());
    assertThat(kindOf(() -> auth.authInfo(again))).isEqualTo(AuthException.Kind.INVALID_AUTH_TOKEN);
    assertThat(auth.authInfo(rootToken).user()).isEqualTo("root");
  }

  @Test
  void authenticateNeedsAuthOn() {
    addUser("u", "pw");
    assertThat(kindOf(() -> auth.authenticate("u", "p", 1)))
        .isEqualTo(AuthException.Kind.AUTH_NOT_ENABLED);
  }

  @Test
  void everythingIsPermittedWhileAuthIsOff() {
    assertThat(auth.isRangePermitted(null, s("a"), FROM_KEY)).isTrue();
    assertThat(auth.isPutPermitted(null, s("a"))).isTrue();
    assertThat(auth.isDeleteRangePermitted(null, s("a"), NONE)).isTrue();
    assertThat(auth.isAdmin(null)).isTrue();
  }

  @Test
  void permissionChecksFollowRolesAndRanges() {
    enableWithRoot();
    addUser("u", "pw");
    addRole("reader");
    addRole("writer");
    grantPermission("reader", Permission.Type.READ, s("app/"), s("app0"));
    grantPermission("writer", Permission.Type.WRITE, s("app/cfg"), NONE);
    grantPermission("writer", Permission.Type.READWRITE, s("tmp/"), FROM_KEY);
    grantRole("u", "reader");
    grantRole("u", "writer");
    AuthInfo u = current("u");

    assertThat(auth.isRangePermitted(u, s("app/"), s("app0"))).isTrue();
    assertThat(auth.isRangePermitted(u, s("app/x"), NONE)).isTrue();
    assertThat(auth.isRangePermitted(u, s("ap"), s("app0"))).isFalse();
    assertThat(auth.isRangePermitted(u, s("app/"), FROM_KEY)).isFalse();
    assertThat(auth.isRangePermitted(u, s("tmp/"), FROM_KEY)).isTrue();
    assertThat(auth.isRangePermitted(u, s("zzz"), NONE)).isTrue(); // tmp/ and on
    assertThat(auth.isPutPermitted(u, s("app/cfg"))).isTrue();
    assertThat(auth.isPutPermitted(u, s("app/other"))).isFalse();
    assertThat(auth.isDeleteRangePermitted(u, s("app/"), s("app0"))).isFalse();
    assertThat(auth.isDeleteRangePermitted(u, s("tmp/a"), s("tmp/b"))).isTrue();
    assertThat(auth.isAdmin(u)).isFalse();
    assertThat(kindOf(() -> auth.checkPut(u, s("app/x"))))
        .isEqualTo(AuthException.Kind.PERMISSION_DENIED);
    assertThat(kindOf(() -> auth.checkAdmin(u))).isEqualTo(AuthException.Kind.PERMISSION_DENIED);

    AuthInfo root = current("root");
    assertThat(auth.isDeleteRangePermitted(root, FROM_KEY, FROM_KEY)).isTrue();
    assertThat(auth.isAdmin(root)).isTrue();
  }

  @Test
  void checksNeedAUserAtTheCurrentRevision() {
    enableWithRoot();
    addUser("u", "pw");
    addRole("r");
    grantPermission("r", Permission.Type.READ, s("k"), NONE);
    AuthInfo stale = current("u");
    grantRole("u", "r");
    assertThat(kindOf(() -> auth.checkRange(stale, s("k"), NONE)))
        .isEqualTo(AuthException.Kind.AUTH_OLD_REVISION);
    assertThat(kindOf(() -> auth.checkRange(null, s("k"), NONE)))
        .isEqualTo(AuthException.Kind.USER_EMPTY);
    assertThat(kindOf(() -> auth.checkRange(new AuthInfo("u", 0), s("k"), NONE)))
        .isEqualTo(AuthException.Kind.USER_EMPTY);
    assertThat(kindOf(() -> auth.checkRange(current("ghost"), s("k"), NONE)))
        .isEqualTo(AuthException.Kind.PERMISSION_DENIED);
    assertThat(kindOf(() -> auth.checkAdmin(null))).isEqualTo(AuthException.Kind.USER_EMPTY);
    assertThat(kindOf(() -> auth.checkAdmin(current("ghost"))))
        .isEqualTo(AuthException.Kind.USER_NOT_FOUND);
    auth.checkRange(current("u"), s("k"), NONE);
  }

  @Test
  void theCachedPermissionsFollowEveryChange() {
    enableWithRoot();
    addUser("u", "pw");
    addRole("r");
    grantRole("u", "r");
    assertThat(auth.isRangePermitted(current("u"), s("k"), NONE)).isFalse(); // cached: nothing
    grantPermission("r", Permission.Type.READ, s("k"), NONE);
    assertThat(auth.isRangePermitted(current("u"), s("k"), NONE)).isTrue();
    auth.roleRevokePermission(
        AuthRoleRevokePermissionRequest.newBuilder().setRole("r").setKey(s("k")).build());
    assertThat(auth.isRangePermitted(current("u"), s("k"), NONE)).isFalse();
    grantPermission("r", Permission.Type.READ, s("k"), NONE);
    assertThat(auth.isRangePermitted(current("u"), s("k"), NONE)).isTrue();
    auth.userRevokeRole(AuthUserRevokeRoleRequest.newBuilder().setName("u").setRole("r").build());
    assertThat(auth.isRangePermitted(current("u"), s("k"), NONE)).isFalse();
    grantRole("u", "r");
    assertThat(auth.isRangePermitted(current("u"), s("k"), NONE)).isTrue();
    auth.roleDelete(AuthRoleDeleteRequest.newBuilder().setRole("r").build());
    assertThat(auth.isRangePermitted(current("u"), s("k"), NONE)).isFalse();
    addRole("r"); // re-created empty: the old grant is gone
    grantRole("u", "root");
    assertThat(auth.isRangePermitted(current("u"), s("k"), NONE)).isTrue();
  }

  @Test
  void snapshotRoundTripKeepsUsersRolesPermissionsAndStatus() throws IOException {
    enableWithRoot();
    addUser("u", "pw");
    addRole("r");
    grantPermission("r", Permission.Type.READWRITE, s("a"), s("b"));
    grantRole("u", "r");
    byte[] bytes = snapshot(auth);

    AuthStore restored = new AuthStore(new AuthConfig(300_000, 1_000), () -> now);
    restored.userAdd(AuthUserAddRequest.newBuilder().setName("gone").build());
    restored.restoreSnapshot(new DataInputStream(new ByteArrayInputStream(bytes)));

    assertThat(restored.authStatus()).isEqualTo(auth.authStatus());
    assertThat(restored.userList()).isEqualTo(auth.userList());
    assertThat(restored.roleList()).isEqualTo(auth.roleList());
    assertThat(restored.roleGet(AuthRoleGetRequest.newBuilder().setRole("r").build()))
        .isEqualTo(auth.roleGet(AuthRoleGetRequest.newBuilder().setRole("r").build()));
    assertThat(restored.checkPassword("u", "pw")).isEqualTo(auth.revision());
    assertThat(restored.isPutPermitted(new AuthInfo("u", restored.revision()), s("a1"))).isTrue();
    assertThat(snapshot(restored)).isEqualTo(bytes);
  }

  @Test
  void restoringADisabledStateDropsTokens() throws IOException {
    byte[] disabled = snapshot(auth);
    enableWithRoot();
    String token = login("root", "rootpw");
    auth.restoreSnapshot(new DataInputStream(new ByteArrayInputStream(disabled)));
    assertThat(auth.isEnabled()).isFalse();
    assertThat(kindOf(() -> auth.authInfo(token))).isEqualTo(AuthException.Kind.INVALID_AUTH_TOKEN);
  }

  private static byte[] snapshot(AuthStore store) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    store.writeSnapshot(new DataOutputStream(bytes));
    return bytes.toByteArray();
  }
}
