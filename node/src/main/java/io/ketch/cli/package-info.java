/**
 * ketchctl, Ketch's command-line client: etcdctl v3's commands and flags over the generated etcd v3
 * gRPC stubs (io.ketch.pb), so it works against Ketch and etcd alike and knows nothing of the
 * server.
 *
 * <p>Output follows etcdctl 3.4/3.5 (checked side by side against Debian's etcdctl 3.4.23 in
 * EtcdctlCompatibilityTest): the simple printer's lines, Go's encoding/json for {@code -w json}
 * ({@link io.ketch.cli.GoJson}: declared field names, omitempty, 64-bit numbers as numbers, bytes
 * base64; clientv3's flattened lease and watch shapes), tablewriter's layout for {@code -w table},
 * "Error: ..." on stderr with etcdctl's exit codes. Known differences: {@code get --count-only}
 * prints the count in simple format (etcdctl 3.5 accepts it only with {@code -w fields}); the
 * {@code fields} and {@code protobuf} formats are not offered; with several endpoints the channel
 * fails over in order rather than balancing.
 */
package io.ketch.cli;
