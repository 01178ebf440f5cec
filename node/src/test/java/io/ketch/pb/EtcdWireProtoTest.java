package io.ketch.pb;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.ketch.pb.election.CampaignRequest;
import io.ketch.pb.election.ElectionGrpc;
import io.ketch.pb.etcdserver.AuthGrpc;
import io.ketch.pb.etcdserver.ClusterGrpc;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.LeaseGrpc;
import io.ketch.pb.etcdserver.MaintenanceGrpc;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.RangeResponse;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.pb.etcdserver.WatchGrpc;
import io.ketch.pb.etcdserver.WatchResponse;
import io.ketch.pb.lock.LockGrpc;
import io.ketch.pb.lock.LockRequest;
import io.ketch.pb.mvcc.Event;
import io.ketch.pb.mvcc.KeyValue;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Our etcd .proto files must be wire-identical to etcd's: checked against jetcd's generated
 * classes, which are compiled from etcd's own files.
 */
class EtcdWireProtoTest {

  /** jetcd's copy of rpc.proto declares a unary Watch.Progress that etcd never served. */
  private static final Set<String> JETCD_ONLY_METHODS = Set.of("etcdserverpb.Watch.Progress");

  @Test
  void serviceNamesAreEtcds() {
    assertThat(
            List.of(
                KVGrpc.SERVICE_NAME,
                WatchGrpc.SERVICE_NAME,
                LeaseGrpc.SERVICE_NAME,
                ClusterGrpc.SERVICE_NAME,
                MaintenanceGrpc.SERVICE_NAME,
                AuthGrpc.SERVICE_NAME,
                ElectionGrpc.SERVICE_NAME,
                LockGrpc.SERVICE_NAME))
        .containsExactly(
            "etcdserverpb.KV",
            "etcdserverpb.Watch",
            "etcdserverpb.Lease",
            "etcdserverpb.Cluster",
            "etcdserverpb.Maintenance",
            "etcdserverpb.Auth",
            "v3electionpb.Election",
            "v3lockpb.Lock");
    assertThat(KVGrpc.getRangeMethod().getFullMethodName()).isEqualTo("etcdserverpb.KV/Range");
    assertThat(MaintenanceGrpc.getDowngradeMethod().getFullMethodName())
        .isEqualTo("etcdserverpb.Maintenance/Downgrade");
  }

  @Test
  void everyJetcdServiceMethodExistsWithTheSameShape() {
    Map<String, ServiceDescriptor> ours = services(PutRequest.getDescriptor().getFile());
    ours.putAll(services(CampaignRequest.getDescriptor().getFile()));
    ours.putAll(services(LockRequest.getDescriptor().getFile()));
    Map<String, ServiceDescriptor> theirs =
        services(io.etcd.jetcd.api.PutRequest.getDescriptor().getFile());
    theirs.putAll(services(io.etcd.jetcd.api.CampaignRequest.getDescriptor().getFile()));
    theirs.putAll(services(io.etcd.jetcd.api.lock.LockRequest.getDescriptor().getFile()));

    assertThat(ours.keySet()).containsAll(theirs.keySet());
    for (ServiceDescriptor their : theirs.values()) {
      ServiceDescriptor our = ours.get(their.getFullName());
      for (MethodDescriptor m : their.getMethods()) {
        if (JETCD_ONLY_METHODS.contains(m.getFullName())) {
          continue;
        }
        MethodDescriptor o = our.findMethodByName(m.getName());
        assertThat(o).as(m.getFullName()).isNotNull();
        assertThat(o.getInputType().getFullName()).isEqualTo(m.getInputType().getFullName());
        assertThat(o.getOutputType().getFullName()).isEqualTo(m.getOutputType().getFullName());
        assertThat(o.isClientStreaming()).isEqualTo(m.isClientStreaming());
        assertThat(o.isServerStreaming()).isEqualTo(m.isServerStreaming());
      }
    }
  }

  @Test
  void everyJetcdMessageFieldHasTheSameNumberNameAndType() {
    Map<String, Descriptor> ours = new HashMap<>();
    collectMessages(PutRequest.getDescriptor().getFile(), ours);
    collectMessages(CampaignRequest.getDescriptor().getFile(), ours);
    collectMessages(LockRequest.getDescriptor().getFile(), ours);
    Map<String, Descriptor> theirs = new HashMap<>();
    collectMessages(io.etcd.jetcd.api.PutRequest.getDescriptor().getFile(), theirs);
    collectMessages(io.etcd.jetcd.api.CampaignRequest.getDescriptor().getFile(), theirs);
    collectMessages(io.etcd.jetcd.api.lock.LockRequest.getDescriptor().getFile(), theirs);

    assertThat(theirs).containsKeys("etcdserverpb.RangeRequest", "mvccpb.KeyValue", "authpb.Role");
    for (Descriptor their : theirs.values()) {
      Descriptor our = ours.get(their.getFullName());
      assertThat(our).as(their.getFullName()).isNotNull();
      for (FieldDescriptor f : their.getFields()) {
        FieldDescriptor o = our.findFieldByNumber(f.getNumber());
        assertThat(o).as(f.getFullName()).isNotNull();
        assertThat(o.getName()).as(f.getFullName()).isEqualTo(f.getName());
        assertThat(o.getType()).as(f.getFullName()).isEqualTo(f.getType());
        assertThat(o.isRepeated()).as(f.getFullName()).isEqualTo(f.isRepeated());
        if (f.getType() == FieldDescriptor.Type.MESSAGE) {
          assertThat(o.getMessageType().getFullName()).isEqualTo(f.getMessageType().getFullName());
        }
        if (f.getType() == FieldDescriptor.Type.ENUM) {
          assertSameEnum(o.getEnumType(), f.getEnumType());
        }
        assertThat(o.getRealContainingOneof() == null)
            .isEqualTo(f.getRealContainingOneof() == null);
      }
    }
  }

  @Test
  void putRequestRoundTripsBothWays() throws Exception {
    PutRequest ours =
        PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("k"))
            .setValue(ByteString.copyFromUtf8("v"))
            .setLease(42)
            .setPrevKv(true)
            .setIgnoreLease(true)
            .build();
    io.etcd.jetcd.api.PutRequest theirs =
        io.etcd.jetcd.api.PutRequest.parseFrom(ours.toByteArray());
    assertThat(theirs.getKey().toStringUtf8()).isEqualTo("k");
    assertThat(theirs.getValue().toStringUtf8()).isEqualTo("v");
    assertThat(theirs.getLease()).isEqualTo(42);
    assertThat(theirs.getPrevKv()).isTrue();
    assertThat(theirs.getIgnoreLease()).isTrue();
    assertThat(theirs.getIgnoreValue()).isFalse();
    assertThat(PutRequest.parseFrom(theirs.toByteArray())).isEqualTo(ours);
  }

  @Test
  void rangeResponseRoundTripsBothWays() throws Exception {
    RangeResponse ours =
        RangeResponse.newBuilder()
            .setHeader(header(7))
            .addKvs(kv("a", 3, 5, 2, "x", 9))
            .addKvs(kv("b", 4, 4, 1, "y", 0))
            .setMore(true)
            .setCount(10)
            .build();
    io.etcd.jetcd.api.RangeResponse theirs =
        io.etcd.jetcd.api.RangeResponse.parseFrom(ours.toByteArray());
    assertThat(theirs.getHeader().getClusterId()).isEqualTo(1);
    assertThat(theirs.getHeader().getMemberId()).isEqualTo(2);
    assertThat(theirs.getHeader().getRevision()).isEqualTo(7);
    assertThat(theirs.getHeader().getRaftTerm()).isEqualTo(3);
    assertThat(theirs.getKvsCount()).isEqualTo(2);
    io.etcd.jetcd.api.KeyValue first = theirs.getKvs(0);
    assertThat(first.getKey().toStringUtf8()).isEqualTo("a");
    assertThat(first.getCreateRevision()).isEqualTo(3);
    assertThat(first.getModRevision()).isEqualTo(5);
    assertThat(first.getVersion()).isEqualTo(2);
    assertThat(first.getValue().toStringUtf8()).isEqualTo("x");
    assertThat(first.getLease()).isEqualTo(9);
    assertThat(theirs.getMore()).isTrue();
    assertThat(theirs.getCount()).isEqualTo(10);
    assertThat(RangeResponse.parseFrom(theirs.toByteArray())).isEqualTo(ours);
  }

  @Test
  void watchResponseRoundTripsBothWays() throws Exception {
    WatchResponse ours =
        WatchResponse.newBuilder()
            .setHeader(header(12))
            .setWatchId(5)
            .setCreated(true)
            .setCanceled(true)
            .setCompactRevision(4)
            .setCancelReason("why")
            .setFragment(true)
            .addEvents(
                Event.newBuilder()
                    .setType(Event.EventType.DELETE)
                    .setKv(
                        KeyValue.newBuilder()
                            .setKey(ByteString.copyFromUtf8("d"))
                            .setModRevision(12))
                    .setPrevKv(kv("d", 2, 11, 3, "old", 0)))
            .addEvents(Event.newBuilder().setKv(kv("p", 12, 12, 1, "new", 0)))
            .build();
    io.etcd.jetcd.api.WatchResponse theirs =
        io.etcd.jetcd.api.WatchResponse.parseFrom(ours.toByteArray());
    assertThat(theirs.getWatchId()).isEqualTo(5);
    assertThat(theirs.getCreated()).isTrue();
    assertThat(theirs.getCanceled()).isTrue();
    assertThat(theirs.getCompactRevision()).isEqualTo(4);
    assertThat(theirs.getCancelReason()).isEqualTo("why");
    // jetcd's copy predates WatchResponse.fragment: it travels as an unknown field 7.
    assertThat(theirs.getUnknownFields().hasField(7)).isTrue();
    assertThat(theirs.getEvents(0).getType()).isEqualTo(io.etcd.jetcd.api.Event.EventType.DELETE);
    assertThat(theirs.getEvents(0).getPrevKv().getValue().toStringUtf8()).isEqualTo("old");
    assertThat(theirs.getEvents(1).getType()).isEqualTo(io.etcd.jetcd.api.Event.EventType.PUT);
    assertThat(theirs.getEvents(1).getKv().getVersion()).isEqualTo(1);
    assertThat(WatchResponse.parseFrom(theirs.toByteArray())).isEqualTo(ours);
  }

  private static ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder()
        .setClusterId(1)
        .setMemberId(2)
        .setRevision(revision)
        .setRaftTerm(3)
        .build();
  }

  private static KeyValue kv(
      String key, long create, long mod, long version, String value, long lease) {
    return KeyValue.newBuilder()
        .setKey(ByteString.copyFromUtf8(key))
        .setCreateRevision(create)
        .setModRevision(mod)
        .setVersion(version)
        .setValue(ByteString.copyFromUtf8(value))
        .setLease(lease)
        .build();
  }

  private static void assertSameEnum(EnumDescriptor ours, EnumDescriptor theirs) {
    assertThat(ours.getFullName()).isEqualTo(theirs.getFullName());
    theirs
        .getValues()
        .forEach(
            v ->
                assertThat(ours.findValueByNumber(v.getNumber()).getName())
                    .as(v.getFullName())
                    .isEqualTo(v.getName()));
  }

  private static Map<String, ServiceDescriptor> services(FileDescriptor file) {
    Map<String, ServiceDescriptor> byName = new HashMap<>();
    file.getServices().forEach(s -> byName.put(s.getFullName(), s));
    return byName;
  }

  /** Every message of the file and of the files it imports, nested ones included. */
  private static void collectMessages(FileDescriptor root, Map<String, Descriptor> into) {
    Set<FileDescriptor> seen = new HashSet<>();
    ArrayDeque<FileDescriptor> files = new ArrayDeque<>(List.of(root));
    while (!files.isEmpty()) {
      FileDescriptor file = files.pop();
      if (!seen.add(file)) {
        continue;
      }
      files.addAll(file.getDependencies());
      ArrayDeque<Descriptor> messages = new ArrayDeque<>(file.getMessageTypes());
      while (!messages.isEmpty()) {
        Descriptor d = messages.pop();
        if (d.getFullName().startsWith("google.") || d.getFullName().startsWith("gogoproto.")) {
          continue;
        }
        into.put(d.getFullName(), d);
        messages.addAll(d.getNestedTypes());
      }
    }
  }
}
