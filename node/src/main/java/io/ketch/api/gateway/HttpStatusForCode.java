package io.ketch.api.gateway;

import io.grpc.Status;

/**
 * The HTTP status grpc-gateway v1 (the one etcd 3.4 and 3.5 embed) answers for a gRPC code, with
 * its reason phrase, which stream errors carry. FailedPrecondition is 412 there, not v2's 400.
 */
record HttpStatusForCode(int status, String reason) {

  static HttpStatusForCode of(Status.Code code) {
    return switch (code) {
      case OK -> new HttpStatusForCode(200, "OK");
      case CANCELLED -> new HttpStatusForCode(408, "Request Timeout");
      case INVALID_ARGUMENT, OUT_OF_RANGE -> new HttpStatusForCode(400, "Bad Request");
      case DEADLINE_EXCEEDED -> new HttpStatusForCode(504, "Gateway Timeout");
      case NOT_FOUND -> new HttpStatusForCode(404, "Not Found");
      case ALREADY_EXISTS, ABORTED -> new HttpStatusForCode(409, "Conflict");
      case PERMISSION_DENIED -> new HttpStatusForCode(403, "Forbidden");
      case UNAUTHENTICATED -> new HttpStatusForCode(401, "Unauthorized");
      case RESOURCE_EXHAUSTED -> new HttpStatusForCode(429, "Too Many Requests");
      case FAILED_PRECONDITION -> new HttpStatusForCode(412, "Precondition Failed");
      case UNIMPLEMENTED -> new HttpStatusForCode(501, "Not Implemented");
      case UNAVAILABLE -> new HttpStatusForCode(503, "Service Unavailable");
      case UNKNOWN, INTERNAL, DATA_LOSS -> new HttpStatusForCode(500, "Internal Server Error");
    };
  }
}
