package io.ketch.e2e.harness;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test once per selected {@link Target} (see {@link Target#selected()}),
 * displayed as "[etcd]", "[ketch]". The test may declare parameters of type {@link Target} and
 * {@link Member}: a Member parameter is a fresh one-member cluster of that target, closed after the
 * test. When the test fails, the tail of every member's log started during it is printed.
 *
 * <pre>{@code
 * @EachTarget
 * void putThenGet(Member member) { ... }
 * }</pre>
 */
@java.lang.annotation.Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(TargetExtension.class)
public @interface EachTarget {}
