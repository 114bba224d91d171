package io.promroute.standalone;

import io.promroute.router.UpstreamClient;
import io.promroute.servlet.RouterConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;

/**
 * The standalone router: {@code java -jar promroute-standalone.jar --config prome-route.yml}.
 *
 * <pre>
 * --config FILE         the configuration (prome-route.yml format); default prome-route.yml
 *                       (--config.file=FILE, prome-route's flag, works too)
 * --check-config        validate the configuration, print every problem, exit 0 (valid) or 1
 * --probe               with --check-config: also ask each shard for its version and readiness
 * --web.enable-lifecycle  answer POST /-/reload and /-/quit (403 without, as Prometheus)
 * --shutdown.drain-period D  /-/ready answers 503 this long before the listener closes (5s)
 * --access-log.format F      logfmt (default) or json
 * --access-log.max-query-length N  the longest query logged (1000 characters)
 * --version             print the version and exit
 * </pre>
 *
 * <p>The shard requests go through Jetty's {@code HttpClient} ({@link JettyUpstreamClient}); {@code
 * -Dpromroute.upstream.client=jdk} uses the JDK's {@code HttpClient} instead.
 *
 * <p>SIGTERM or Ctrl-C stops it gracefully; SIGHUP reloads the configuration (a configuration that
 * does not load is refused and the old one keeps serving).
 */
public final class StandaloneRouter {

  static final String DEFAULT_CONFIG = "prome-route.yml"; // prome-route's default
  private static final String USAGE =
      """
      usage: promroute [--config FILE] [--check-config [--probe]] [--web.enable-lifecycle]
                       [--shutdown.drain-period DURATION] [--access-log.format logfmt|json]
                       [--access-log.max-query-length N] [--version]
        --config FILE     the configuration file (prome-route.yml format); default prome-route.yml
                          (prome-route's --config.file=FILE works too)
        --check-config    validate the configuration, print every problem, exit 0 if valid, 1 if not
        --probe           with --check-config: also ask each shard for its version and readiness
        --web.enable-lifecycle
                          answer POST /-/reload and POST /-/quit (without: 403, as Prometheus)
        --shutdown.drain-period DURATION
                          on SIGTERM, /-/ready answers 503 this long before the listener closes,
                          so that load balancers stop sending first; default 5s
        --access-log.format logfmt|json
                          one access log line per API request, logfmt (default) or JSON
        --access-log.max-query-length N
                          queries longer than N characters are cut in the access log; default 1000
        --version         print the version and exit
      """;

  /** Held here: java.util.logging holds loggers weakly, and would forget the level set on it. */
  private static java.util.logging.Logger jettyLog;

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
    boolean probe = false;
    RouterOptions options =
        new RouterOptions(
            true,
            false,
            RouterOptions.DEFAULT_DRAIN_PERIOD,
            AccessLogFormat.LOGFMT,
            RouterOptions.DEFAULT_MAX_LOGGED_QUERY);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      int equals = arg.indexOf('=');
      String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
      String value = null;
      if (Set.of(
              "--config",
              "--config.file",
              "--shutdown.drain-period",
              "--access-log.format",
              "--access-log.max-query-length")
          .contains(name)) {
        if (equals > 0) {
          value = arg.substring(equals + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          err.print(arg + " needs a value\n" + USAGE);
          return 2;
        }
      }
      try {
        switch (name) {
          case "--version" -> {
            out.println("promroute " + version());
            return 0;
          }
          case "-h", "--help" -> {
            out.print(USAGE);
            return 0;
          }
          case "--check-config" -> check = true;
          case "--probe" -> probe = true;
          case "--web.enable-lifecycle" -> options = options.withLifecycle(true);
          case "--config", "--config.file" -> configFile = Path.of(value);
          case "--shutdown.drain-period" -> {
            java.time.Duration drain = RouterConfig.parseDuration(value);
            if (drain == null && !value.equals("0")) {
              throw new IllegalArgumentException(
                  "\"" + value + "\" is not a duration (e.g. 5s, 500ms, 0s)");
            }
            options = options.withDrainPeriod(drain == null ? java.time.Duration.ZERO : drain);
          }
          case "--access-log.format" ->
              options =
                  options.withAccessLog(AccessLogFormat.parse(value), options.maxLoggedQuery());
          case "--access-log.max-query-length" ->
              options = options.withAccessLog(options.accessLogFormat(), positive(value));
          default -> {
            err.print("unknown argument: " + arg + "\n" + USAGE);
            return 2;
          }
        }
      } catch (IllegalArgumentException e) {
        err.print(name + ": " + e.getMessage() + "\n" + USAGE);
        return 2;
      }
    }
    if (probe && !check) {
      err.print("--probe goes with --check-config\n" + USAGE);
      return 2;
    }
    return check ? checkConfig(configFile, probe, out, err) : serve(configFile, options, err);
  }

  private static int positive(String value) {
    try {
      int number = Integer.parseInt(value);
      if (number > 0) {
        return number;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("\"" + value + "\" is not a positive whole number");
  }

  private static int checkConfig(Path configFile, boolean probe, PrintStream out, PrintStream err) {
    RouterConfig config;
    try {
      config = RouterConfig.load(configFile);
      // Building the engine runs the checks that need the routing code, e.g. the default shard.
      RouterEngines.create(config, UpstreamClient.jdk()).shutdown();
    } catch (RuntimeException e) {
      // Every problem on a line of its own, file:line: key: problem, as compilers list them.
      err.println(e.getMessage());
      err.println(configFile + ": invalid");
      return 1;
    }
    out.println(
        configFile
            + ": valid: "
            + RouterServer.summary(config)
            + ", listening on "
            + config.listenAddress());
    if (!probe) {
      return 0;
    }
    try (JettyUpstreamClient client = new JettyUpstreamClient(java.time.Duration.ofSeconds(5))) {
      boolean allReady = true;
      for (ShardProbe.Result result : ShardProbe.probeAll(config, client)) {
        out.println("  " + result);
        allReady &= result.ready();
      }
      return allReady ? 0 : 1;
    }
  }

  private static int serve(Path configFile, RouterOptions options, PrintStream err)
      throws Exception {
    RouterConfig config;
    RouterServer server;
    try {
      config = RouterConfig.load(configFile);
      AsyncAccessLog accessLog =
          new AsyncAccessLog(accessLogSink(), 10_000, options.accessLogFormat());
      server =
          new RouterServer(
              configFile,
              config,
              RouterEngines::create,
              JettyUpstreamClient.fromSystemProperty(),
              new RouterMetrics(true),
              accessLog,
              options);
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
   * Where access log lines go. With java.util.logging configured by the user, to the logger {@code
   * io.promroute.access} (its source given: otherwise java.util.logging walks the stack to find the
   * caller of every line). Without, the line as it is (it has its own time stamp), on stderr by
   * {@link StderrLines}: java.util.logging's formatter and its flush per line cost about a tenth of
   * the router's CPU on small queries.
   */
  private static java.util.function.Consumer<String> accessLogSink() {
    java.util.logging.Logger access = java.util.logging.Logger.getLogger("io.promroute.access");
    if (defaultLogging && access.getHandlers().length == 0) {
      return new StderrLines();
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
  /**
   * @return whether SIGHUP now reloads
   */
  static boolean onSighup(RouterServer server) {
    System.Logger log = System.getLogger(StandaloneRouter.class.getName());
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              StandaloneRouter.class.getClassLoader(),
              new Class<?>[] {handlerClass},
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
      Object previous =
          signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, hup, handler);
      if (previous == handlerClass.getField("SIG_IGN").get(null)) {
        // The JVM installs nothing for a signal ignored at start-up (nohup): say so.
        log.log(
            Level.WARNING,
            "SIGHUP is ignored in this process (started with nohup?); reload with POST /-/reload");
        return false;
      }
      return true;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      Throwable cause = e instanceof InvocationTargetException target ? target.getCause() : e;
      log.log(
          Level.WARNING, "SIGHUP cannot be handled here ({0}); reload with POST /-/reload", cause);
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
      System.setProperty(
          "java.util.logging.SimpleFormatter.format",
          "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s: %5$s%6$s%n");
      // Jetty logs through SLF4J into java.util.logging (slf4j-jdk14): its warnings, not its
      // start-up chatter. After the format is set: the first logger reads it.
      jettyLog = java.util.logging.Logger.getLogger("org.eclipse.jetty");
      jettyLog.setLevel(java.util.logging.Level.WARNING);
    }
  }
}
