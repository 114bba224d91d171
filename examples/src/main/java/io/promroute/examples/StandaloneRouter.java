package io.promroute.examples;

import io.promroute.servlet.RouterConfig;
import io.promroute.router.UpstreamClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The standalone router: {@code java -jar promroute-standalone.jar --config prome-route.yml}.
 *
 * <pre>
 * --config FILE         the configuration (prome-route.yml format); default prome-route.yml
 *                       (--config.file=FILE, prome-route's flag, works too)
 * --check-config        validate the configuration, print the result, exit 0 (valid) or 1
 * --version             print the version and exit
 * </pre>
 *
 * <p>The shard requests go through Jetty's {@code HttpClient} ({@link JettyUpstreamClient});
 * {@code -Dpromroute.upstream.client=jdk} uses the JDK's {@code HttpClient} instead.
 *
 * <p>SIGTERM or Ctrl-C stops it gracefully; SIGHUP or {@code POST /-/reload} reloads the
 * configuration (a configuration that does not load is refused and the old one keeps serving).
 */
public final class StandaloneRouter {

  static final String DEFAULT_CONFIG = "prome-route.yml"; // prome-route's default
  private static final String USAGE = """
      usage: promroute [--config FILE] [--check-config] [--version]
        --config FILE     the configuration file (prome-route.yml format); default prome-route.yml
                          (prome-route's --config.file=FILE works too)
        --check-config    validate the configuration and exit: 0 if valid, 1 if not
        --version         print the version and exit
      """;

  /** Whether logging is ours to set up: the user configured no java.util.logging. */
  private static boolean defaultLogging;

  private StandaloneRouter() {}

  public static void main(String[] args) throws Exception {
    configureLogging();
    int code = run(args, System.out, System.err);
    // After a graceful stop (SIGTERM) the JVM is already exiting: System.exit would block it.
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the command line; returns the exit code once the router has stopped. */
  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Path configFile = Path.of(DEFAULT_CONFIG);
    boolean check = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--version")) {
        out.println("promroute " + version());
        return 0;
      } else if (arg.equals("-h") || arg.equals("--help")) {
        out.print(USAGE);
        return 0;
      } else if (arg.equals("--check-config")) {
        check = true;
      } else if (arg.equals("--config") || arg.equals("--config.file")) {
        if (i + 1 == args.length) {
          err.print(arg + " needs a file\n" + USAGE);
          return 2;
        }
        configFile = Path.of(args[++i]);
      } else if (arg.startsWith("--config=") || arg.startsWith("--config.file=")) {
        configFile = Path.of(arg.substring(arg.indexOf('=') + 1));
      } else {
        err.print("unknown argument: " + arg + "\n" + USAGE);
        return 2;
      }
    }
    return check ? checkConfig(configFile, out, err) : serve(configFile, err);
  }

  private static int checkConfig(Path configFile, PrintStream out, PrintStream err) {
    try {
      RouterConfig config = RouterConfig.load(configFile);
      // Building the engine runs the checks that need the routing code, e.g. the default shard.
      RouterEngines.create(config, UpstreamClient.jdk()).shutdown();
      out.println(configFile + ": valid: " + RouterServer.summary(config) + ", listening on "
          + config.listenAddress());
      return 0;
    } catch (RuntimeException e) {
      err.println(configFile + ": invalid: " + e.getMessage());
      return 1;
    }
  }

  private static int serve(Path configFile, PrintStream err) throws Exception {
    RouterConfig config;
    RouterServer server;
    try {
      config = RouterConfig.load(configFile);
      AsyncAccessLog accessLog = new AsyncAccessLog(accessLogSink(), 10_000);
      server = new RouterServer(configFile, config, RouterEngines::create, JettyUpstreamClient.fromSystemProperty(),
          new RouterMetrics(true), accessLog, true);
    } catch (RuntimeException e) {
      err.println("promroute: cannot start: " + e.getMessage());
      return 1;
    }
    try {
      server.start();
    } catch (IOException e) {
      err.println("promroute: cannot listen on " + config.listenAddress() + ": " + e.getMessage());
      server.close();
      return 1;
    }
    onSighup(server);
    server.join();
    return 0;
  }

  /**
   * Where access log lines go. With java.util.logging configured by the user, to the logger
   * {@code io.promroute.access} (its source given: otherwise java.util.logging walks the stack to
   * find the caller of every line). Without, the line our default format would give, written to
   * stderr by {@link StderrLines}: java.util.logging's formatter and its flush per line cost about
   * a tenth of the router's CPU on small queries.
   */
  private static java.util.function.Consumer<String> accessLogSink() {
    java.util.logging.Logger access = java.util.logging.Logger.getLogger("io.promroute.access");
    if (defaultLogging && access.getHandlers().length == 0) {
      return new StderrLines("INFO io.promroute.access: ");
    }
    return line -> {
      if (access.isLoggable(java.util.logging.Level.INFO)) {
        access.logp(java.util.logging.Level.INFO, "io.promroute.access", null, line);
      }
    };
  }

  /**
   * Reloads on SIGHUP, as Prometheus does. {@code sun.misc.Signal} is reached by reflection: it is
   * not part of the Java SE API and may be missing; then only {@code POST /-/reload} reloads.
   */
  /** @return whether SIGHUP now reloads */
  static boolean onSighup(RouterServer server) {
    System.Logger log = System.getLogger(StandaloneRouter.class.getName());
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object handler = Proxy.newProxyInstance(StandaloneRouter.class.getClassLoader(), new Class<?>[] {handlerClass},
          (proxy, method, arguments) -> {
            if (method.getName().equals("handle")) {
              try {
                server.reload();
              } catch (RuntimeException e) {
                // reload() has logged it; the old configuration keeps serving.
              }
              return null;
            }
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == arguments[0];
              default -> "SIGHUP handler";
            };
          });
      Object hup = signalClass.getConstructor(String.class).newInstance("HUP");
      Object previous = signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, hup, handler);
      if (previous == handlerClass.getField("SIG_IGN").get(null)) {
        // The JVM installs nothing for a signal ignored at start-up (nohup): say so.
        log.log(Level.WARNING, "SIGHUP is ignored in this process (started with nohup?); reload with POST /-/reload");
        return false;
      }
      return true;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      Throwable cause = e instanceof InvocationTargetException target ? target.getCause() : e;
      log.log(Level.WARNING, "SIGHUP cannot be handled here ({0}); reload with POST /-/reload", cause);
      return false;
    }
  }

  static String version() {
    try (InputStream in = StandaloneRouter.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        String version = properties.getProperty("version", "");
        if (!version.isEmpty() && !version.startsWith("$")) {
          return version;
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "unknown";
  }

  /**
   * One line per log record on stderr, unless the user configured java.util.logging. The library
   * logs through System.Logger and forces nothing; this application may choose.
   */
  private static void configureLogging() {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
        && System.getProperty("java.util.logging.config.file") == null
        && System.getProperty("java.util.logging.config.class") == null) {
      defaultLogging = true;
      System.setProperty("java.util.logging.SimpleFormatter.format",
          "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s: %5$s%6$s%n");
    }
    // Jetty logs through SLF4J; without a provider SLF4J would print a warning about it.
    if (System.getProperty("slf4j.internal.verbosity") == null) {
      System.setProperty("slf4j.internal.verbosity", "ERROR");
    }
  }
}
