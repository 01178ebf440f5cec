package io.ketch.operator.members;

import java.util.List;

/** Opens the membership client of a cluster whose members answer at these client URLs. */
@FunctionalInterface
public interface MembersFactory {
  Members forEndpoints(List<String> clientUrls);
}
