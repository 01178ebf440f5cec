package io.ketch.server.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * go-grpc-prometheus's server metrics (grpc_server_started_total, grpc_server_handled_total,
 * grpc_server_msg_received_total, grpc_server_msg_sent_total), which etcd exports and its
 * dashboards read. Data points are resolved once per method, so a call costs one map lookup.
 */
final class GrpcMetrics implements ServerInterceptor {
  private static final String[] LABELS = {"grpc_type", "grpc_service", "grpc_method"};

  private final Counter started;
  private final Counter handled;
  private final Counter received;
  private final Counter sent;
  private final ConcurrentHashMap<String, MethodCounters> byMethod = new ConcurrentHashMap<>();

  GrpcMetrics(PrometheusRegistry registry) {
    started =
        counter(
            registry, "grpc_server_started_total", "Total number of RPCs started on the server.");
    handled =
        Counter.builder()
            .name("grpc_server_handled_total")
            .help("Total number of RPCs completed on the server, regardless of success or failure.")
            .labelNames("grpc_type", "grpc_service", "grpc_method", "grpc_code")
            .register(registry);
    received =
        counter(
            registry,
            "grpc_server_msg_received_total",
            "Total number of RPC stream messages received on the server.");
    sent =
        counter(
            registry,
            "grpc_server_msg_sent_total",
            "Total number of gRPC stream messages sent by the server.");
  }

  private static Counter counter(PrometheusRegistry registry, String name, String help) {
    return Counter.builder().name(name).help(help).labelNames(LABELS).register(registry);
  }

  void preRegister(ServerServiceDefinition service) {
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      countersFor(method.getMethodDescriptor());
    }
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MethodCounters counters = countersFor(call.getMethodDescriptor());
    counters.started.inc();
    AtomicBoolean done = new AtomicBoolean();
    ServerCall<ReqT, RespT> counting =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendMessage(RespT message) {
            counters.sent.inc();
            super.sendMessage(message);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            if (done.compareAndSet(false, true)) {
              counters.handled[status.getCode().ordinal()].inc();
            }
            super.close(status, trailers);
          }
        };
    return new SimpleForwardingServerCallListener<>(next.startCall(counting, headers)) {
      @Override
      public void onMessage(ReqT message) {
        counters.received.inc();
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        // The client went away before the handler closed the call: go-grpc-prometheus reports
        // the handler's result, which is then Canceled.
        if (done.compareAndSet(false, true)) {
          counters.handled[Status.Code.CANCELLED.ordinal()].inc();
        }
        super.onCancel();
      }
    };
  }

  private MethodCounters countersFor(MethodDescriptor<?, ?> method) {
    MethodCounters counters = byMethod.get(method.getFullMethodName());
    return counters != null
        ? counters
        : byMethod.computeIfAbsent(method.getFullMethodName(), k -> new MethodCounters(method));
  }

  private final class MethodCounters {
    final CounterDataPoint started;
    final CounterDataPoint received;
    final CounterDataPoint sent;
    final CounterDataPoint[] handled = new CounterDataPoint[Status.Code.values().length];

    MethodCounters(MethodDescriptor<?, ?> method) {
      String type = grpcType(method.getType());
      String service = method.getServiceName();
      String name = method.getBareMethodName();
      started = GrpcMetrics.this.started.labelValues(type, service, name);
      received = GrpcMetrics.this.received.labelValues(type, service, name);
      sent = GrpcMetrics.this.sent.labelValues(type, service, name);
      for (Status.Code code : Status.Code.values()) {
        handled[code.ordinal()] =
            GrpcMetrics.this.handled.labelValues(type, service, name, goCodeName(code));
      }
    }
  }

  private static String grpcType(MethodDescriptor.MethodType type) {
    return switch (type) {
      case UNARY -> "unary";
      case CLIENT_STREAMING -> "client_stream";
      case SERVER_STREAMING -> "server_stream";
      case BIDI_STREAMING, UNKNOWN -> "bidi_stream";
    };
  }

  /** Go's codes.Code.String(): the label values dashboards filter on ("OK", "Unavailable"). */
  static String goCodeName(Status.Code code) {
    return switch (code) {
      case OK -> "OK";
      case CANCELLED -> "Canceled";
      case UNKNOWN -> "Unknown";
      case INVALID_ARGUMENT -> "InvalidArgument";
      case DEADLINE_EXCEEDED -> "DeadlineExceeded";
      case NOT_FOUND -> "NotFound";
      case ALREADY_EXISTS -> "AlreadyExists";
      case PERMISSION_DENIED -> "PermissionDenied";
      case RESOURCE_EXHAUSTED -> "ResourceExhausted";
      case FAILED_PRECONDITION -> "FailedPrecondition";
      case ABORTED -> "Aborted";
      case OUT_OF_RANGE -> "OutOfRange";
      case UNIMPLEMENTED -> "Unimplemented";
      case INTERNAL -> "Internal";
      case UNAVAILABLE -> "Unavailable";
      case DATA_LOSS -> "DataLoss";
      case UNAUTHENTICATED -> "Unauthenticated";
    };
  }
}
