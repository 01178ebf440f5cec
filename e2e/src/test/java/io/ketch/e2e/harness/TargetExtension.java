package io.ketch.e2e.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/** The engine behind {@link EachTarget}: one invocation per selected target. */
final class TargetExtension implements TestTemplateInvocationContextProvider {

  private static final int LOG_TAIL_LINES = 60;

  @Override
  public boolean supportsTestTemplate(ExtensionContext context) {
    return context.getRequiredTestMethod().isAnnotationPresent(EachTarget.class);
  }

  @Override
  public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(
      ExtensionContext context) {
    return Target.selected().stream().map(Invocation::new);
  }

  private record Invocation(Target target) implements TestTemplateInvocationContext {
    @Override
    public String getDisplayName(int invocationIndex) {
      return "[" + target.label() + "]";
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
      return List.of(new PerTest(target));
    }
  }

  /**
   * Resolves Target and Member parameters; prints logs on failure; closes what the test started.
   */
  private static final class PerTest
      implements ParameterResolver,
          BeforeEachCallback,
          AfterTestExecutionCallback,
          AfterEachCallback {
    private final Target target;
    private final List<MemberProcess> started = new ArrayList<>();

    PerTest(Target target) {
      this.target = target;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      Class<?> type = parameter.getParameter().getType();
      return type == Target.class || type == Member.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      if (parameter.getParameter().getType() == Target.class) {
        return target;
      }
      return target.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
      target.requireTools();
      MemberProcess.drainStarted();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
      started.addAll(MemberProcess.drainStarted());
      if (context.getExecutionException().isEmpty()) {
        return;
      }
      for (MemberProcess member : started) {
        System.err.printf(
            "%n----- last %d lines of %s (%s) for %s -----%n%s%n-----%n",
            LOG_TAIL_LINES,
            member.name(),
            Member.logDir().resolve(member.name() + ".log"),
            context.getDisplayName(),
            member.logTail(LOG_TAIL_LINES));
      }
    }

    @Override
    public void afterEach(ExtensionContext context) {
      // every member the test started, also one that failed to start or that the test started
      // itself
      started.addAll(MemberProcess.drainStarted());
      started.forEach(Member::close);
      started.clear();
    }
  }
}
