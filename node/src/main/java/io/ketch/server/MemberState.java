package io.ketch.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import io.ketch.auth.AuthConfig;
import io.ketch.auth.AuthException;
import io.ketch.auth.AuthInfo;
import io.ketch.auth.AuthStore;
import io.ketch.lease.LeaseCheckpoint;
import io.ketch.lease.Lessor;
import io.ketch.mvcc.KvStore;
import io.ketch.mvcc.WatchableStore;
import io.ketch.pb.etcdserver.AlarmMember;
import io.ketch.pb.etcdserver.AlarmRequest;
import io.ketch.pb.etcdserver.AlarmResponse;
import io.ketch.pb.etcdserver.AlarmType;
import io.ketch.pb.etcdserver.CompactionResponse;
import io.ketch.pb.etcdserver.LeaseCheckpointRequest;
import io.ketch.pb.etcdserver.LeaseCheckpointResponse;
import io.ketch.pb.etcdserver.LeaseGrantResponse;
import io.ketch.pb.etcdserver.LeaseRevokeResponse;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.server.pb.ClusterState;
import io.ketch.server.pb.InternalAuthenticateRequest;
import io.ketch.server.pb.InternalRequest;
import io.ketch.server.pb.MemberAttributes;
import io.ketch.server.pb.MemberRecord;
import io.ketch.server.pb.StateSnapshot;
import io.ketch.storage.SnapshotData;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.LongFunction;

/**
 * Everything the log builds: the key-value store, the leases, the auth store, the membership and
 * the alarms. Changed only by the apply thread, through {@link #apply}, in log order, so every
 * member holds the same state at the same applied index; read by anyone.
 */
final class MemberState {
  /** Bumped when the snapshot layout changes; an unknown version is refused rather than misread. */
  static final int SNAPSHOT_FORMAT = 1;

  private static final int MVCC_TAG =
      StateSnapshot.MVCC_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  private final KvStore store;
  private final WatchableStore watchable;
  private final Lessor lessor;
  private final KvApplier kv;
  private final AuthStore auth;
  private final AccessChecks access;
  private final LongFunction<ResponseHeader> headers;
  private final Set<AlarmMember> alarms = new CopyOnWriteArraySet<>();
  private volatile ClusterState cluster;

  MemberState(
      KvStore store,
      Lessor lessor,
      ClusterState cluster,
      List<AlarmMember> alarms,
      AuthStore auth,
      LongFunction<ResponseHeader> headers) {
    this.store = store;
    this.auth = auth;
    this.access = new AccessChecks(auth, lessor);
    this.watchable = new WatchableStore(store);
    this.lessor = lessor;
    this.cluster = cluster;
    this.headers = headers;
    this.alarms.addAll(alarms);
    this.kv = new KvApplier(store, lessor, headers);
  }

  /**
   * A snapshot's data as a StateSnapshot whose mvcc field is a substring of {@code data}, not a
   * copy: a plain parse copies it (twice from a leader's snapshot, a rope of the pieces received).
   */
  static StateSnapshot parseSnapshot(ByteString data) throws IOException {
    CodedInputStream in = data.newCodedInput();
    ByteString others = ByteString.EMPTY;
    ByteString mvcc = ByteString.EMPTY;
    while (true) {
      int start = in.getTotalBytesRead();
      int tag = in.readTag();
      if (tag == 0) {
        return StateSnapshot.newBuilder().mergeFrom(others).setMvcc(mvcc).build();
      }
      if (tag == MVCC_TAG) {
        int length = in.readUInt32();
        int at = in.getTotalBytesRead();
        in.skipRawBytes(length);
        mvcc = data.substring(at, at + length);
      } else {
        in.skipField(tag);
        others = others.concat(data.substring(start, in.getTotalBytesRead()));
      }
    }
  }

  /** Rebuilds the state a snapshot holds (an empty section means a fresh component). */
  static MemberState restore(
      StateSnapshot snapshot, Lessor lessor, LongFunction<ResponseHeader> headers) {
    try {
      KvStore store =
          snapshot.getMvcc().isEmpty() ? new KvStore() : KvStore.restore(snapshot.getMvcc());
      if (!snapshot.getLessor().isEmpty()) {
        lessor.restoreSnapshot(new DataInputStream(snapshot.getLessor().newInput()));
      }
      AuthStore auth = new AuthStore(AuthConfig.DEFAULT, () -> System.nanoTime() / 1_000_000);
      if (!snapshot.getAuth().isEmpty()) {
        auth.restoreSnapshot(new DataInputStream(snapshot.getAuth().newInput()));
      }
      return new MemberState(
          store, lessor, snapshot.getCluster(), snapshot.getAlarmsList(), auth, headers);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable state snapshot", e);
    }
  }

  /**
   * Replaces the whole state with a snapshot's, in place, so that open watch streams and everyone
   * holding this state keep working (a follower installing the leader's snapshot): the store's
   * watchers are resynced from the new history. Apply thread only.
   */
  void restoreInPlace(StateSnapshot snapshot) {
    try {
      store.restoreFrom(snapshot.getMvcc());
      lessor.restoreSnapshot(new DataInputStream(snapshot.getLessor().newInput()));
      auth.restoreSnapshot(new DataInputStream(snapshot.getAuth().newInput()));
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable state snapshot from the leader", e);
    }
    alarms.clear();
    alarms.addAll(snapshot.getAlarmsList());
    cluster = snapshot.getCluster();
  }

  /** A membership change the log applied. Apply thread only. */
  void setCluster(ClusterState next) {
    cluster = next;
  }

  /**
   * The state as of now, on the apply thread: leases, users and membership are serialized (small),
   * the key-value store only referenced; {@link PendingSnapshot#build} writes its bytes later, on
   * any thread, while the apply thread goes on.
   */
  PendingSnapshot captureSnapshot(long appliedIndex, long appliedTerm) {
    try {
      ByteArrayOutputStream leases = new ByteArrayOutputStream();
      lessor.writeSnapshot(new DataOutputStream(leases));
      ByteArrayOutputStream users = new ByteArrayOutputStream();
      auth.writeSnapshot(new DataOutputStream(users));
      StateSnapshot rest =
          StateSnapshot.newBuilder()
              .setFormatVersion(SNAPSHOT_FORMAT)
              .setAppliedIndex(appliedIndex)
              .setAppliedTerm(appliedTerm)
              .setCluster(cluster)
              .addAllAlarms(alarms)
              .setLessor(ByteString.copyFrom(leases.toByteArray()))
              .setAuth(ByteString.copyFrom(users.toByteArray()))
              .build();
      return new PendingSnapshot(rest, store.snapshotView());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A snapshot captured but not yet written (see {@link #captureSnapshot}): the bytes of a {@link
   * StateSnapshot}, its mvcc field streamed from the store's copy last (protobuf takes fields in
   * any order), so the whole state is never one array in memory.
   */
  record PendingSnapshot(StateSnapshot withoutMvcc, KvStore.SnapshotView mvcc)
      implements SnapshotData {
    @Override
    public int size() {
      long size =
          withoutMvcc.getSerializedSize()
              + CodedOutputStream.computeTagSize(StateSnapshot.MVCC_FIELD_NUMBER)
              + CodedOutputStream.computeUInt64SizeNoTag(mvcc.size())
              + mvcc.size();
      if (size > Integer.MAX_VALUE) {
        throw new IllegalStateException(
            "the state is " + size + " bytes, more than a snapshot can hold (2 GiB)");
      }
      return (int) size;
    }

    long appliedIndex() {
      return withoutMvcc.getAppliedIndex();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      CodedOutputStream head = CodedOutputStream.newInstance(out, 1 << 12);
      withoutMvcc.writeTo(head);
      head.writeTag(StateSnapshot.MVCC_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      head.writeUInt64NoTag(mvcc.size());
      head.flush();
      mvcc.writeTo(out);
    }
  }

  KvStore store() {
    return store;
  }

  WatchableStore watchable() {
    return watchable;
  }

  Lessor lessor() {
    return lessor;
  }

  KvApplier kv() {
    return kv;
  }

  AuthStore auth() {
    return auth;
  }

  AccessChecks access() {
    return access;
  }

  ClusterState cluster() {
    return cluster;
  }

  List<AlarmMember> alarms() {
    return List.copyOf(alarms);
  }

  /** Asked twice on every write (at the proposal and at the apply), so without a stream. */
  boolean noSpace() {
    for (AlarmMember alarm : alarms) {
      if (alarm.getAlarm() == AlarmType.NOSPACE) {
        return true;
      }
    }
    return false;
  }

  /**
   * Applies one request from the log.
   *
   * @return the response for the proposer's waiter
   * @throws RuntimeException the request's error for the proposer (the state is unchanged then)
   */
  Object apply(InternalRequest request) {
    return apply(request, 0);
  }

  /**
   * Applies the request that is entry {@code index} of the log. A client's request is first checked
   * again as the user it names, at the auth revision it was checked at (etcd's authApplierV3).
   */
  Object apply(InternalRequest request, long index) {
    if (!request.getUsername().isEmpty()) {
      access.check(new AuthInfo(request.getUsername(), request.getAuthRevision()), request);
    }
    return switch (request.getRequestCase()) {
      case PUT -> {
        requireSpace();
        yield kv.put(request.getPut());
      }
      case DELETE_RANGE -> kv.deleteRange(request.getDeleteRange());
      case TXN -> {
        if (!KvApplier.isReadOnly(request.getTxn()) && hasPut(request.getTxn())) {
          requireSpace();
        }
        yield kv.txn(request.getTxn());
      }
      case COMPACTION -> {
        store.compact(request.getCompaction().getRevision());
        yield CompactionResponse.newBuilder()
            .setHeader(headers.apply(store.currentRevision()))
            .build();
      }
      case LEASE_GRANT -> {
        requireSpace();
        long id = request.getLeaseGrant().getID();
        long ttl = lessor.grant(id, request.getLeaseGrant().getTTL());
        yield LeaseGrantResponse.newBuilder()
            .setHeader(headers.apply(store.currentRevision()))
            .setID(id)
            .setTTL(ttl)
            .build();
      }
      case LEASE_REVOKE -> {
        List<ByteString> keys = lessor.revoke(request.getLeaseRevoke().getID());
        long revision = keys.isEmpty() ? store.currentRevision() : kv.deleteKeys(keys);
        yield LeaseRevokeResponse.newBuilder().setHeader(headers.apply(revision)).build();
      }
      case LEASE_CHECKPOINT -> {
        for (var checkpoint : request.getLeaseCheckpoint().getCheckpointsList()) {
          if (lessor.contains(checkpoint.getID())) {
            lessor.checkpoint(checkpoint.getID(), checkpoint.getRemainingTTL());
          }
        }
        yield LeaseCheckpointResponse.newBuilder()
            .setHeader(headers.apply(store.currentRevision()))
            .build();
      }
      case ALARM -> alarm(request.getAlarm());
      case MEMBER_ATTRIBUTES -> {
        publish(request.getMemberAttributes());
        yield Boolean.TRUE;
      }
      case AUTHENTICATE -> authenticate(request.getAuthenticate(), index);
      case AUTH_ENABLE -> withHeader(auth.authEnable());
      case AUTH_DISABLE -> withHeader(auth.authDisable());
      case AUTH_USER_ADD -> withHeader(auth.userAdd(request.getAuthUserAdd()));
      case AUTH_USER_DELETE -> withHeader(auth.userDelete(request.getAuthUserDelete()));
      case AUTH_USER_CHANGE_PASSWORD ->
          withHeader(auth.userChangePassword(request.getAuthUserChangePassword()));
      case AUTH_USER_GRANT_ROLE -> withHeader(auth.userGrantRole(request.getAuthUserGrantRole()));
      case AUTH_USER_REVOKE_ROLE ->
          withHeader(auth.userRevokeRole(request.getAuthUserRevokeRole()));
      case AUTH_ROLE_ADD -> withHeader(auth.roleAdd(request.getAuthRoleAdd()));
      case AUTH_ROLE_DELETE -> withHeader(auth.roleDelete(request.getAuthRoleDelete()));
      case AUTH_ROLE_GRANT_PERMISSION ->
          withHeader(auth.roleGrantPermission(request.getAuthRoleGrantPermission()));
      case AUTH_ROLE_REVOKE_PERMISSION ->
          withHeader(auth.roleRevokePermission(request.getAuthRoleRevokePermission()));
      default ->
          throw new IllegalArgumentException(
              "request kind not supported yet: " + request.getRequestCase());
    };
  }

  /**
   * The password was checked on the proposer at {@code checked_revision}; if users or roles changed
   * since, the check may no longer hold, so the proposer is told to check again (etcd retries the
   * same way).
   */
  private Object authenticate(InternalAuthenticateRequest request, long index) {
    if (auth.revision() != request.getCheckedRevision()) {
      throw new AuthException(AuthException.Kind.AUTH_OLD_REVISION);
    }
    return withHeader(auth.authenticate(request.getName(), request.getTokenPrefix(), index));
  }

  /** An auth response with its header set (the auth store answers without one). */
  private Message withHeader(Message response) {
    var builder = response.toBuilder();
    builder.setField(
        builder.getDescriptorForType().findFieldByName("header"),
        headers.apply(store.currentRevision()));
    return builder.build();
  }

  /** Checkpoints are proposed by the leader; shaped here so the proposal is one request. */
  static InternalRequest checkpoints(List<LeaseCheckpoint> due) {
    var request = LeaseCheckpointRequest.newBuilder();
    for (LeaseCheckpoint c : due) {
      request.addCheckpoints(
          io.ketch.pb.etcdserver.LeaseCheckpoint.newBuilder()
              .setID(c.id())
              .setRemainingTTL(c.remainingTtlSeconds()));
    }
    return InternalRequest.newBuilder().setLeaseCheckpoint(request).build();
  }

  private void requireSpace() {
    if (noSpace()) {
      throw ServerError.NO_SPACE.exception();
    }
  }

  private static boolean hasPut(io.ketch.pb.etcdserver.TxnRequest txn) {
    for (var branch : List.of(txn.getSuccessList(), txn.getFailureList())) {
      for (var op : branch) {
        if (op.hasRequestPut() || (op.hasRequestTxn() && hasPut(op.getRequestTxn()))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Applies an alarm change; a GET only reads, so it may also be called off the apply thread. */
  AlarmResponse alarm(AlarmRequest request) {
    AlarmMember alarm =
        AlarmMember.newBuilder()
            .setMemberID(request.getMemberID())
            .setAlarm(request.getAlarm())
            .build();
    // etcd answers alarms without a header.
    AlarmResponse.Builder response = AlarmResponse.newBuilder();
    switch (request.getAction()) {
      case GET -> response.addAllAlarms(matching(request));
      case ACTIVATE -> {
        if (request.getAlarm() != AlarmType.NONE && alarms.add(alarm)) {
          response.addAlarms(alarm);
        }
      }
      case DEACTIVATE -> {
        List<AlarmMember> removed = matching(request);
        alarms.removeAll(removed);
        response.addAllAlarms(removed);
      }
      case UNRECOGNIZED -> throw new IllegalArgumentException("unknown alarm action");
    }
    return response.build();
  }

  /** etcd: member 0 matches every member, alarm NONE every alarm. */
  private List<AlarmMember> matching(AlarmRequest request) {
    return alarms.stream()
        .filter(a -> request.getMemberID() == 0 || a.getMemberID() == request.getMemberID())
        .filter(a -> request.getAlarm() == AlarmType.NONE || a.getAlarm() == request.getAlarm())
        .toList();
  }

  private void publish(MemberAttributes attributes) {
    ClusterState.Builder next = cluster.toBuilder();
    for (int i = 0; i < next.getMembersCount(); i++) {
      MemberRecord member = next.getMembers(i);
      if (member.getId() == attributes.getMemberId()) {
        next.setMembers(
            i,
            member.toBuilder()
                .setName(attributes.getName())
                .clearClientUrls()
                .addAllClientUrls(attributes.getClientUrlsList()));
      }
    }
    cluster = next.build();
  }
}
