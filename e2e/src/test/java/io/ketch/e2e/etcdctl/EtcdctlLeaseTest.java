package io.ketch.e2e.etcdctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.ketch.e2e.harness.EachTarget;
import io.ketch.e2e.harness.Etcdctl;
import io.ketch.e2e.harness.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** etcdctl lease grant / keep-alive --once / timetolive --keys / list / revoke, and expiry. */
class EtcdctlLeaseTest {

  private static final Pattern GRANTED =
      Pattern.compile("lease ([0-9a-f]{16}) granted with TTL\\((\\d+)s\\)\n");

  @EachTarget
  void grantAttachKeepAliveInspectListRevoke(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    String id = grant(etcdctl, 60, 60);
    long decimal = Long.parseUnsignedLong(id, 16);
    etcdctl.run("put", "leased", "v", "--lease=" + id).assertOk();
    etcdctl.run("put", "leased2", "v", "--lease=" + id).assertOk();

    assertThat(etcdctl.run("lease", "keep-alive", "--once", id).assertOk().out())
        .isEqualTo("lease " + id + " keepalived with TTL(60)\n");
    JsonObject keptAlive = json(etcdctl.run("lease", "keep-alive", "--once", id, "-w", "json"));
    assertThat(keptAlive.get("ID").getAsLong()).isEqualTo(decimal);
    assertThat(keptAlive.get("TTL").getAsLong()).isEqualTo(60);
    assertThat(keptAlive.get("revision").getAsLong()).isEqualTo(3);

    // the attached keys come in no particular order (etcd keeps them in a map)
    String ttl = etcdctl.run("lease", "timetolive", "--keys", id).assertOk().out();
    Matcher remaining =
        Pattern.compile(
                "lease "
                    + id
                    + " granted with TTL\\(60s\\), remaining\\((\\d+)s\\), attached keys\\(\\[(.*)]\\)\n")
            .matcher(ttl);
    assertThat(remaining.matches()).as(ttl).isTrue();
    assertThat(Integer.parseInt(remaining.group(1))).isBetween(50, 60);
    assertThat(remaining.group(2).split(" ")).containsExactlyInAnyOrder("leased", "leased2");

    JsonObject ttlJson = json(etcdctl.run("lease", "timetolive", "--keys", id, "-w", "json"));
    assertThat(ttlJson.get("id").getAsLong()).isEqualTo(decimal);
    assertThat(ttlJson.get("granted-ttl").getAsLong()).isEqualTo(60);
    assertThat(ttlJson.get("ttl").getAsLong()).isBetween(50L, 60L);
    assertThat(ttlJson.get("revision").getAsLong()).isEqualTo(3);
    List<String> keys = new ArrayList<>();
    ttlJson.getAsJsonArray("keys").forEach(k -> keys.add(k.getAsString()));
    assertThat(keys).containsExactlyInAnyOrder("bGVhc2Vk", "bGVhc2VkMg==");

    String other = grant(etcdctl, 30, 30);
    List<String> listed = etcdctl.run("lease", "list").assertOk().lines();
    assertThat(listed.get(0)).isEqualTo("found 2 leases");
    assertThat(listed.subList(1, 3)).containsExactlyInAnyOrder(id, other);
    JsonObject listJson = json(etcdctl.run("lease", "list", "-w", "json"));
    assertThat(listJson.getAsJsonArray("leases")).hasSize(2);

    assertThat(etcdctl.run("lease", "revoke", id).assertOk().out())
        .isEqualTo("lease " + id + " revoked\n");
    // revoking deletes the attached keys in one revision
    JsonObject after = json(etcdctl.run("get", "leased", "--prefix", "-w", "json"));
    assertThat(after.has("kvs")).isFalse();
    assertThat(after.getAsJsonObject("header").get("revision").getAsLong()).isEqualTo(4);
    assertThat(etcdctl.run("lease", "timetolive", id).assertOk().out())
        .isEqualTo("lease " + id + " already expired\n");
    assertThat(etcdctl.run("lease", "list").assertOk().out())
        .isEqualTo("found 1 leases\n" + other + "\n");
  }

  @EachTarget
  void ttlBelowTheMinimumIsRaisedAndAnExpiredLeaseDeletesItsKeys(Member member) {
    Etcdctl etcdctl = new Etcdctl(member);
    // the minimum TTL is ceil(1.5 x election timeout) = 2 s with the default 1 s election timeout
    String id = grant(etcdctl, 1, 2);
    etcdctl.run("put", "short", "lived", "--lease=" + id).assertOk();
    await("key of an expired lease deleted")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> etcdctl.run("get", "short").assertOk().out().isEmpty());
    assertThat(etcdctl.run("lease", "timetolive", id).assertOk().out())
        .isEqualTo("lease " + id + " already expired\n");
    Etcdctl.Result keepAlive = etcdctl.run("lease", "keep-alive", "--once", id);
    assertThat(keepAlive.exit()).isEqualTo(2);
    assertThat(keepAlive.err()).isEqualTo("Error: etcdserver: requested lease not found\n");
  }

  private static String grant(Etcdctl etcdctl, int ttl, int grantedTtl) {
    String out = etcdctl.run("lease", "grant", Integer.toString(ttl)).assertOk().out();
    Matcher granted = GRANTED.matcher(out);
    assertThat(granted.matches()).as(out).isTrue();
    assertThat(Integer.parseInt(granted.group(2))).isEqualTo(grantedTtl);
    return granted.group(1);
  }

  private static JsonObject json(Etcdctl.Result result) {
    return JsonParser.parseString(result.assertOk().out()).getAsJsonObject();
  }
}
