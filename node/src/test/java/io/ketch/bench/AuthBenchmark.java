package io.ketch.bench;

import com.google.protobuf.ByteString;
import io.ketch.auth.AuthConfig;
import io.ketch.auth.AuthInfo;
import io.ketch.auth.AuthStore;
import io.ketch.pb.auth.Permission;
import io.ketch.pb.etcdserver.AuthRoleAddRequest;
import io.ketch.pb.etcdserver.AuthRoleGrantPermissionRequest;
import io.ketch.pb.etcdserver.AuthUserAddRequest;
import io.ketch.pb.etcdserver.AuthUserGrantRoleRequest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Per-request permission checks (cached merged ranges) and the password hash's cost. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AuthBenchmark {

  private AuthStore auth;
  private AuthInfo user;
  private final ByteString allowed = ByteString.copyFromUtf8("app/42/config");
  private final ByteString denied = ByteString.copyFromUtf8("zzz");

  @Setup
  public void setUp() {
    auth = new AuthStore(AuthConfig.DEFAULT, () -> System.nanoTime() / 1_000_000);
    auth.userAdd(AuthUserAddRequest.newBuilder().setName("root").setHashedPassword("x").build());
    auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("root").build());
    auth.userGrantRole(
        AuthUserGrantRoleRequest.newBuilder().setUser("root").setRole("root").build());
    auth.userAdd(AuthUserAddRequest.newBuilder().setName("u").setHashedPassword("x").build());
    auth.roleAdd(AuthRoleAddRequest.newBuilder().setName("r").build());
    for (int i = 0; i < 100; i++) {
      auth.roleGrantPermission(
          AuthRoleGrantPermissionRequest.newBuilder()
              .setName("r")
              .setPerm(
                  Permission.newBuilder()
                      .setPermType(Permission.Type.READWRITE)
                      .setKey(ByteString.copyFromUtf8("app/" + i + "/"))
                      .setRangeEnd(ByteString.copyFromUtf8("app/" + i + "0")))
              .build());
    }
    auth.userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("u").setRole("r").build());
    auth.authEnable();
    user = new AuthInfo("u", auth.revision());
  }

  @Benchmark
  public boolean putPermitted() {
    return auth.isPutPermitted(user, allowed);
  }

  @Benchmark
  public boolean rangeDenied() {
    return auth.isRangePermitted(user, denied, ByteString.EMPTY);
  }

  /** One PBKDF2 hash at the default iteration count: what UserAdd and Authenticate each pay. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public String hashPassword() {
    return auth.hashPassword("correct horse battery staple");
  }
}
