package io.portico.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSIX signals through {@code sun.misc.Signal}, reached reflectively: it is the JDK's only signal
 * API and lives in {@code jdk.unsupported}. Where it is missing, signals keep the JVM's default
 * behaviour.
 */
final class Signals {

  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /**
   * Runs {@code action} on the JVM's signal thread each time signal {@code name} ({@code HUP},
   * {@code TERM}, ...) arrives, instead of the default behaviour. The action must return quickly.
   *
   * @return false when the signal cannot be handled here
   */
  static boolean handle(String name, Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance(name);
      InvocationHandler h =
          (proxy, method, args) -> {
            if (method.getName().equals("handle")) {
              action.run();
            }
            return null;
          };
      Object handler =
          Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass}, h);
      signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("SIG{} not handled: {}", name, e.toString());
      return false;
    }
  }
}
