package io.ketch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ketch.auth.AuthException;
import io.ketch.pb.auth.Permission;
import io.ketch.pb.auth.UserAddOptions;
import io.ketch.pb.etcdserver.AuthEnableRequest;
import io.ketch.pb.etcdserver.AuthRoleAddRequest;
import io.ketch.pb.etcdserver.AuthRoleGrantPermissionRequest;
import io.ketch.pb.etcdserver.AuthRoleRevokePermissionRequest;
import io.ketch.pb.etcdserver.AuthUserAddRequest;
import io.ketch.pb.etcdserver.AuthUserGrantRoleRequest;
import io.ketch.pb.etcdserver.AuthenticateResponse;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.server.pb.InternalAuthenticateRequest;
import io.ketch.server.pb.InternalRequest;
import io.ketch.server.pb.StateSnapshot;
import java.io.IOException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Auth entries as the apply thread sees them: the re-check at apply time, and the snapshot. */
class MemberStateAuthTest {
  private static final ByteString KEY = ByteString.copyFromUtf8("k");
  private MemberState state;
  private long index;

  private Object apply(InternalRequest.Builder request) {
    return state.apply(request.build(), ++index);
  }

  private Object applyAs(String user, long authRevision, InternalRequest.Builder request) {
    return apply(request.setUsername(user).setAuthRevision(authRevision));
  }

  private static AuthUserAddRequest.Builder user(String name) {
    return AuthUserAddRequest.newBuilder()
        .setName(name)
        .setOptions(UserAddOptions.newBuilder().setNoPassword(true));
  }

  private static AuthUserGrantRoleRequest.Builder grant(String user, String role) {
    return AuthUserGrantRoleRequest.newBuilder().setUser(user).setRole(role);
  }

  @BeforeEach
  void enableAuthWithAWriter() {
    state = MemberStates.fresh(StateSnapshot.getDefaultInstance());
    apply(
        InternalRequest.newBuilder()
            .setAuthUserAdd(
                AuthUserAddRequest.newBuilder()
                    .setName("root")
                    .setHashedPassword(state.auth().hashPassword("rootpw"))));
    apply(
        InternalRequest.newBuilder()
            .setAuthRoleAdd(AuthRoleAddRequest.newBuilder().setName("root")));
    apply(InternalRequest.newBuilder().setAuthUserGrantRole(grant("root", "root")));
    apply(InternalRequest.newBuilder().setAuthUserAdd(user("alice")));
    apply(
        InternalRequest.newBuilder().setAuthRoleAdd(AuthRoleAddRequest.newBuilder().setName("w")));
    apply(
        InternalRequest.newBuilder()
            .setAuthRoleGrantPermission(
                AuthRoleGrantPermissionRequest.newBuilder()
                    .setName("w")
                    .setPerm(
                        Permission.newBuilder()
                            .setKey(KEY)
                            .setPermType(Permission.Type.READWRITE))));
    apply(InternalRequest.newBuilder().setAuthUserGrantRole(grant("alice", "w")));
    apply(InternalRequest.newBuilder().setAuthEnable(AuthEnableRequest.getDefaultInstance()));
  }

  private InternalRequest.Builder put() {
    return InternalRequest.newBuilder().setPut(PutRequest.newBuilder().setKey(KEY));
  }

  @Test
  void aWriteCheckedBeforeTheAuthStoreMovedIsRefusedWhenApplied() {
    long checkedAt = state.auth().revision();
    applyAs("alice", checkedAt, put());

    applyAs(
        "root",
        checkedAt,
        InternalRequest.newBuilder()
            .setAuthRoleRevokePermission(
                AuthRoleRevokePermissionRequest.newBuilder().setRole("w").setKey(KEY)));

    assertThatThrownBy(() -> applyAs("alice", checkedAt, put()))
        .isInstanceOfSatisfying(
            AuthException.class,
            e -> assertThat(e.kind()).isEqualTo(AuthException.Kind.AUTH_OLD_REVISION));
    assertThatThrownBy(() -> applyAs("alice", state.auth().revision(), put()))
        .isInstanceOfSatisfying(
            AuthException.class,
            e -> assertThat(e.kind()).isEqualTo(AuthException.Kind.PERMISSION_DENIED));
  }

  @Test
  void anAdminRequestFromANonRootUserIsRefusedWhenApplied() {
    assertThatThrownBy(
            () ->
                applyAs(
                    "alice",
                    state.auth().revision(),
                    InternalRequest.newBuilder().setAuthUserAdd(user("mallory"))))
        .isInstanceOfSatisfying(
            AuthException.class,
            e -> assertThat(e.kind()).isEqualTo(AuthException.Kind.PERMISSION_DENIED));
  }

  @Test
  void authenticateChecksTheRevisionThePasswordWasCheckedAt() {
    InternalAuthenticateRequest.Builder authenticate =
        InternalAuthenticateRequest.newBuilder().setName("root").setTokenPrefix("abc");

    assertThatThrownBy(
            () ->
                apply(
                    InternalRequest.newBuilder()
                        .setAuthenticate(
                            authenticate.setCheckedRevision(state.auth().revision() - 1))))
        .isInstanceOfSatisfying(
            AuthException.class,
            e -> assertThat(e.kind()).isEqualTo(AuthException.Kind.AUTH_OLD_REVISION));

    var response =
        (AuthenticateResponse)
            apply(
                InternalRequest.newBuilder()
                    .setAuthenticate(authenticate.setCheckedRevision(state.auth().revision())));

    assertThat(response.getToken()).isEqualTo("abc." + index);
    assertThat(state.auth().authInfo(response.getToken()).user()).isEqualTo("root");
  }

  @Test
  void theSnapshotCarriesUsersRolesAndTheEnabledFlag() throws IOException {
    long revision = state.auth().revision();
    StateSnapshot snapshot = MemberStates.written(state.captureSnapshot(index, 1));

    state = MemberStates.fresh(snapshot);

    assertThat(state.auth().isEnabled()).isTrue();
    assertThat(state.auth().userList().getUsersList()).containsExactly("alice", "root");
    assertThat(state.auth().revision()).isEqualTo(revision);
    assertThat(applyAs("alice", state.auth().revision(), put()))
        .isInstanceOf(io.ketch.pb.etcdserver.PutResponse.class);
  }
}
