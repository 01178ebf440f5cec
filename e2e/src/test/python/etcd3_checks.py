#!/usr/bin/python3
"""Checks python-etcd3 (Debian's python3-etcd3 0.12) against one member on a fresh store.

Usage: etcd3_checks.py HOST:PORT
Prints one JSON line per check: {"check": name, "ok": true|false, "detail": text}; exits 1 if any check failed.
The checks run in order on a fresh store, so revisions are known: the store starts at revision 1.
"""
import json
import sys
import threading
import traceback

import etcd3
import grpc
import etcd3.events


def check_put_get(c):
    resp = c.put('/py/a', '1')
    assert resp.header.revision == 2, resp.header.revision
    value, meta = c.get('/py/a')
    assert value == b'1', value
    assert (meta.key, meta.create_revision, meta.mod_revision, meta.version) == (b'/py/a', 2, 2, 1), meta
    resp = c.put('/py/a', '11', prev_kv=True)
    assert resp.header.revision == 3 and resp.prev_kv.value == b'1', resp
    value, meta = c.get('/py/a')
    assert (value, meta.version, meta.mod_revision, meta.create_revision) == (b'11', 2, 3, 2), meta
    assert c.get('/py/missing') == (None, None)


def check_get_prefix(c):
    c.put('/py/b', '2')
    c.put('/py/c', '3')
    c.put('/pz', 'outside')
    keys = [m.key for _, m in c.get_prefix('/py/')]
    assert keys == [b'/py/a', b'/py/b', b'/py/c'], keys
    keys = [m.key for _, m in c.get_prefix('/py/', sort_order='descend')]
    assert keys == [b'/py/c', b'/py/b', b'/py/a'], keys
    values = [v for v, _ in c.get_prefix('/py/', sort_order='ascend', sort_target='value')]
    assert values == [b'11', b'2', b'3'], values
    keys = [m.key for _, m in c.get_range('/py/a', '/py/c')]
    assert keys == [b'/py/a', b'/py/b'], keys
    assert len(list(c.get_all())) == 4
    resp = c.get_prefix_response('/py/', keys_only=True)
    assert resp.count == 3 and all(kv.value == b'' for kv in resp.kvs), resp


def check_delete(c):
    assert c.delete('/py/a') is True
    assert c.delete('/py/a') is False
    assert c.get('/py/a') == (None, None)
    resp = c.delete('/py/b', prev_kv=True, return_response=True)
    assert resp.deleted == 1 and resp.prev_kvs[0].value == b'2', resp


def check_delete_prefix(c):
    c.put('/dp/1', 'a')
    c.put('/dp/2', 'b')
    resp = c.delete_prefix('/dp/')
    assert resp.deleted == 2, resp
    assert list(c.get_prefix('/dp/')) == []


def check_transaction(c):
    c.put('/t', 'x')
    t = c.transactions
    ok, responses = c.transaction(
        compare=[t.value('/t') == 'x', t.version('/t') > 0, t.create('/t') > 1, t.mod('/t') < 1000],
        success=[t.put('/t', 'y'), t.get('/t')],
        failure=[t.put('/t', 'never')])
    assert ok is True, ok
    assert responses[1][0][0] == b'y', responses
    ok, responses = c.transaction(
        compare=[t.value('/t') == 'x'],
        success=[t.put('/t', 'never')],
        failure=[t.get('/t'), t.delete('/t')])
    assert ok is False, ok
    assert responses[0][0][0] == b'y', responses
    assert c.get('/t') == (None, None)
    ok, _ = c.transaction(compare=[t.version('/t') == 0], success=[t.put('/t', 'new')], failure=[])
    assert ok is True and c.get('/t')[0] == b'new'
    assert c.put_if_not_exists('/t', 'again') is False
    assert c.put_if_not_exists('/t2', 'first') is True
    assert c.replace('/t', 'new', 'newer') is True
    assert c.replace('/t', 'new', 'newest') is False
    assert c.get('/t')[0] == b'newer'


def check_lease(c):
    lease = c.lease(60)
    assert lease.id > 0 and lease.ttl == 60, (lease.id, lease.ttl)
    c.put('/l/k1', 'v', lease=lease)
    c.put('/l/k2', 'v', lease=lease)
    assert 50 <= lease.remaining_ttl <= 60, lease.remaining_ttl
    assert lease.granted_ttl == 60
    assert sorted(lease.keys) == [b'/l/k1', b'/l/k2'], lease.keys
    refreshed = lease.refresh()
    assert refreshed[0].TTL == 60 and refreshed[0].ID == lease.id, refreshed
    _, meta = c.get('/l/k1')
    assert meta.lease_id == lease.id, meta.lease_id
    lease.revoke()
    assert list(c.get_prefix('/l/')) == []
    info = c.get_lease_info(lease.id)
    assert info.TTL == -1, info
    try:
        c.revoke_lease(lease.id)
        raise AssertionError('revoking a revoked lease succeeded')
    except grpc.RpcError as e:  # python-etcd3 passes NOT_FOUND through untranslated
        assert e.code() == grpc.StatusCode.NOT_FOUND, e.code()
        assert e.details() == 'etcdserver: requested lease not found', e.details()


def check_watch_iterator(c):
    events, cancel = c.watch_prefix('/w/')
    seen = []

    def collect():
        for event in events:
            seen.append(event)
            if len(seen) == 3:
                break

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    c.put('/w/a', '1')
    c.put('/w/a', '2')
    c.delete('/w/a')
    reader.join(15)
    cancel()
    assert len(seen) == 3, seen
    assert isinstance(seen[0], etcd3.events.PutEvent) and seen[0].value == b'1' and seen[0].version == 1
    assert isinstance(seen[1], etcd3.events.PutEvent) and seen[1].value == b'2' and seen[1].version == 2
    assert isinstance(seen[2], etcd3.events.DeleteEvent) and seen[2].key == b'/w/a'
    assert seen[1].mod_revision == seen[0].mod_revision + 1 == seen[2].mod_revision - 1


def check_watch_callback(c):
    got = []
    done = threading.Event()

    def callback(response):
        got.extend(response.events)
        done.set()

    before = c.put('/wc/seed', 's').header.revision
    watch_id = c.add_watch_callback('/wc/k', callback, prev_kv=True)
    c.put('/wc/k', 'first')
    assert done.wait(15), 'no watch callback'
    c.cancel_watch(watch_id)
    assert isinstance(got[0], etcd3.events.PutEvent) and got[0].value == b'first', got
    assert got[0].mod_revision == before + 1, (got[0].mod_revision, before)
    # from a past revision: history is replayed
    events, cancel = c.watch('/wc/seed', start_revision=before)
    first = next(iter(events))
    cancel()
    assert first.value == b's' and first.mod_revision == before, first


def check_status(c):
    status = c.status()
    assert status.version.startswith('3.'), status.version
    assert status.db_size > 0
    assert status.raft_term >= 1 and status.raft_index >= 1
    members = list(c.members)
    assert len(members) == 1, members
    assert status.leader.id == members[0].id
    assert members[0].client_urls and members[0].peer_urls


CHECKS = [check_put_get, check_get_prefix, check_delete, check_delete_prefix, check_transaction, check_lease,
          check_watch_iterator, check_watch_callback, check_status]


def main():
    host, port = sys.argv[1].rsplit(':', 1)
    client = etcd3.client(host=host, port=int(port), timeout=10)
    failed = 0
    for check in CHECKS:
        name = check.__name__[len('check_'):]
        try:
            check(client)
            print(json.dumps({'check': name, 'ok': True, 'detail': ''}), flush=True)
        except Exception as e:  # noqa: BLE001 - every failure is reported as a line
            failed += 1
            detail = ''.join(traceback.format_exception(type(e), e, e.__traceback__))
            print(json.dumps({'check': name, 'ok': False, 'detail': detail}), flush=True)
    client.close()
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
