package io.ketch.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.auth.Permission;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.RangeRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Auth API and its enforcement through jetcd, against an in-process member. */
class AuthApiTest {
  @TempDir Path dir;
  private RunningMember member;
  private final List<Client> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    // A low snapshot count so that restarts load auth from a snapshot as well as from the log.
    member = new RunningMember(dir, "--snapshot-count=5");
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(Client::close);
    member.close();
  }

  private static ByteSequence b(String s) {
    return ByteSequence.from(s, UTF_8);
  }

  private Client anonymous() {
    Client client = member.client();
    clients.add(client);
    return client;
  }

  private Client as(String user, String password) {
    Client client =
        Client.builder().endpoints(member.endpoint()).user(b(user)).password(b(password)).build();
    clients.add(client);
    return client;
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(20, TimeUnit.SECONDS);
  }

  /** jetcd wraps a failed Authenticate in an UNAUTHENTICATED of its own: look at the root. */
  private static AbstractThrowableAssert<?, ?> failsWith(CompletableFuture<?> future, String msg) {
    return assertThatThrownBy(() -> await(future)).rootCause().hasMessageContaining(msg);
  }

  /** root with role root, and alice who may only read ro/. */
  private void setUpUsers(Auth auth) throws Exception {
    await(auth.userAdd(b("root"), b("rootpw")));
    await(auth.roleAdd(b("root")));
    await(auth.userGrantRole(b("root"), b("root")));
    await(auth.userAdd(b("alice"), b("alicepw")));
    await(auth.roleAdd(b("reader")));
    await(auth.roleGrantPermission(b("reader"), b("ro/"), b("ro0"), Permission.Type.READ));
    await(auth.userGrantRole(b("alice"), b("reader")));
  }

  @Test
  void enabledAuthLetsEachUserDoWhatTheirRolesAllow() throws Exception {
    Client anonymous = anonymous();
    await(anonymous.getKVClient().put(b("ro/x"), b("1")));
    setUpUsers(anonymous.getAuthClient());
    await(anonymous.getAuthClient().authEnable());

    failsWith(anonymous.getKVClient().get(b("ro/x")), "etcdserver: user name is empty");
    failsWith(anonymous.getKVClient().put(b("ro/x"), b("2")), "etcdserver: user name is empty");

    Client alice = as("alice", "alicepw");
    assertThat(await(alice.getKVClient().get(b("ro/x"))).getKvs().get(0).getValue())
        .isEqualTo(b("1"));
    failsWith(alice.getKVClient().put(b("ro/x"), b("2")), "etcdserver: permission denied");
    failsWith(alice.getKVClient().get(b("other")), "etcdserver: permission denied");
    failsWith(alice.getKVClient().delete(b("ro/x")), "etcdserver: permission denied");
    failsWith(
        alice
            .getKVClient()
            .txn()
            .If(new Cmp(b("ro/x"), Cmp.Op.EQUAL, CmpTarget.version(1)))
            .Then(Op.get(b("ro/x"), GetOption.DEFAULT))
            .Else(Op.put(b("ro/y"), b("v"), PutOption.DEFAULT))
            .commit(),
        "etcdserver: permission denied");
    failsWith(alice.getAuthClient().userList(), "etcdserver: permission denied");
    failsWith(alice.getMaintenanceClient().hashKV(member.endpoint(), 0), "permission denied");
    assertThat(await(alice.getMaintenanceClient().statusMember(member.endpoint())).getVersion())
        .isNotEmpty();
    CompletableFuture<Throwable> watchRefused = new CompletableFuture<>();
    alice.getWatchClient().watch(b("other"), Watch.listener(r -> {}, watchRefused::complete));
    assertThat(await(watchRefused)).hasMessageContaining("etcdserver: permission denied");
    assertThat(await(alice.getAuthClient().userGet(b("alice"))).getRoles())
        .containsExactly("reader");

    Client root = as("root", "rootpw");
    await(root.getKVClient().put(b("anything"), b("v")));
    assertThat(await(root.getKVClient().get(b("anything"))).getCount()).isEqualTo(1);
    assertThat(await(root.getAuthClient().userList()).getUsers()).containsExactly("alice", "root");
    assertThat(await(root.getMaintenanceClient().hashKV(member.endpoint(), 0)).getHash())
        .isNotZero();

    failsWith(
        as("alice", "wrong").getKVClient().get(b("ro/x")),
        "etcdserver: authentication failed, invalid user ID or password");

    await(root.getAuthClient().authDisable());
    await(anonymous.getKVClient().put(b("other"), b("free")));
    assertThat(await(anonymous.getKVClient().get(b("other"))).getCount()).isEqualTo(1);
  }

  @Test
  void anUnknownTokenIsUnauthenticatedWhileAuthIsOnAndIgnoredWhileOff() throws Exception {
    Metadata bogus = new Metadata();
    bogus.put(Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER), "nobody.42");
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget(member.endpoint().substring("http://".length()))
            .usePlaintext()
            .build();
    try {
      var kv =
          KVGrpc.newBlockingStub(channel)
              .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bogus));
      RangeRequest get = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build();
      assertThat(kv.range(get).getCount()).isZero();

      Client anonymous = anonymous();
      setUpUsers(anonymous.getAuthClient());
      await(anonymous.getAuthClient().authEnable());

      assertThatThrownBy(() -> kv.range(get))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo("etcdserver: invalid auth token");
              });
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void revokingAPermissionTakesEffectForTheNextRequest() throws Exception {
    Client anonymous = anonymous();
    setUpUsers(anonymous.getAuthClient());
    await(anonymous.getAuthClient().roleAdd(b("writer")));
    await(
        anonymous
            .getAuthClient()
            .roleGrantPermission(b("writer"), b("rw/"), b("rw0"), Permission.Type.READWRITE));
    await(anonymous.getAuthClient().userGrantRole(b("alice"), b("writer")));
    await(anonymous.getAuthClient().authEnable());
    Client alice = as("alice", "alicepw");
    await(alice.getKVClient().put(b("rw/1"), b("v")));

    Client root = as("root", "rootpw");
    await(root.getAuthClient().roleRevokePermission(b("writer"), b("rw/"), b("rw0")));

    failsWith(alice.getKVClient().put(b("rw/1"), b("w")), "etcdserver: permission denied");
  }

  @Test
  void locksAndElectionsActAsTheirCallerWhileAuthIsOn() throws Exception {
    Client anonymous = anonymous();
    setUpUsers(anonymous.getAuthClient());
    await(anonymous.getAuthClient().authEnable());
    Client root = as("root", "rootpw");
    long lease = await(root.getLeaseClient().grant(60)).getID();

    ByteSequence key = await(root.getLockClient().lock(b("job"), lease)).getKey();
    var leader = await(root.getElectionClient().campaign(b("svc"), lease, b("a"))).getLeader();

    assertThat(key.toString(UTF_8)).startsWith("job/");
    assertThat(await(root.getElectionClient().leader(b("svc"))).getKv().getValue())
        .isEqualTo(b("a"));
    await(root.getElectionClient().resign(leader));
    failsWith(as("alice", "alicepw").getLockClient().lock(b("job"), lease), "permission denied");
  }

  @Test
  void userAndRoleOperationsFailWithEtcdsMessages() throws Exception {
    Auth auth = anonymous().getAuthClient();
    failsWith(auth.authEnable(), "etcdserver: root user does not exist");
    await(auth.userAdd(b("root"), b("rootpw")));
    failsWith(auth.authEnable(), "etcdserver: root user does not have root role");
    failsWith(auth.userAdd(b("root"), b("x")), "etcdserver: user name already exists");
    failsWith(auth.userAdd(b(""), b("x")), "etcdserver: user name is empty");
    failsWith(auth.userGet(b("nobody")), "etcdserver: user name not found");
    failsWith(auth.userDelete(b("nobody")), "etcdserver: user name not found");
    failsWith(auth.userChangePassword(b("nobody"), b("x")), "etcdserver: user name not found");
    failsWith(auth.userGrantRole(b("root"), b("nope")), "etcdserver: role name not found");
    failsWith(auth.userRevokeRole(b("root"), b("nope")), "etcdserver: role is not granted");
    await(auth.roleAdd(b("r")));
    failsWith(auth.roleAdd(b("r")), "etcdserver: role name already exists");
    failsWith(auth.roleAdd(b("")), "etcdserver: role name is empty");
    failsWith(auth.roleGet(b("nope")), "etcdserver: role name not found");
    failsWith(auth.roleDelete(b("nope")), "etcdserver: role name not found");
    failsWith(
        auth.roleRevokePermission(b("r"), b("k"), b("")),
        "etcdserver: permission is not granted to the role");
    failsWith(
        as("root", "rootpw").getKVClient().get(b("k")),
        "etcdserver: authentication is not enabled");
  }

  @Test
  void authStateSurvivesARestart() throws Exception {
    Auth auth = anonymous().getAuthClient();
    setUpUsers(auth);
    await(auth.authEnable());
    await(as("root", "rootpw").getKVClient().put(b("ro/k"), b("v")));

    member.restart();

    assertThat(
            await(as("alice", "alicepw").getKVClient().get(b("ro/k"))).getKvs().get(0).getValue())
        .isEqualTo(b("v"));
    failsWith(as("alice", "alicepw").getKVClient().put(b("ro/k"), b("w")), "permission denied");
    failsWith(anonymous().getKVClient().get(b("ro/k")), "etcdserver: user name is empty");
    assertThat(await(as("root", "rootpw").getAuthClient().roleList()).getRoles())
        .containsExactly("reader", "root");
  }
}
