package io.ketch.operator;

/** The operator's entry point. */
public final class OperatorMain {
  private OperatorMain() {}

  public static void main(String[] args) {}
}
