// Starts mongo-java-server on 127.0.0.1 for the CRM's embedded default. A single-file Java 17 program, run in
// source-file mode (no compile step):
//   java -Xmx512m -cp '<cache>/mongo-java-server/lib/*' EmbeddedMongo.java <memory|h2:FILE> <port>
// Prints "READY <port>" on stdout once it accepts connections, or one "FAILED <reason>" line on stderr and exits 1.
// Exits when stdin closes (so a parent that dies never leaves an orphan JVM) and on SIGTERM / SIGINT; the shutdown
// hook commits and closes the H2 store, so data survives restarts (H2 also auto-commits about once a second, so
// even a kill -9 loses at most about a second of writes).
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;

public class EmbeddedMongo {
  /**
   * The Node driver 7.x refuses servers below wire version 9 (MongoDB 4.4); mongo-java-server's newest built-in
   * ServerVersion (MONGO_5_0) reports 8. MongoBackend.version(MongoVersion) accepts any MongoVersion.
   */
  enum Wire9 implements MongoVersion {
    MONGO_5_0_WIRE_9;

    @Override
    public List<Integer> getVersionArray() {
      return List.of(5, 0, 0);
    }

    @Override
    public int getWireVersion() {
      return 9;
    }
  }

  /** The backend calls that run one at a time (see serialized()). */
  static final Set<String> SERIALIZED = Set.of("handleCommand", "handleMessage", "handleQuery", "dropDatabase", "closeCursors", "handleClose");

  /**
   * mongo-java-server is not safe under concurrent DDL: two createCollection calls for one new collection (what
   * mongoose does when a model is compiled and syncIndexes runs right away) can fail with "Unknown error: Document
   * with key ... already existed in system.namespaces" instead of code 48, and createIndex racing an insert on a new
   * collection can fail with "Unknown error: null" (1.47.0, both backends, a few times in 50 tries), leaving e.g. a
   * unique index missing. So requests run one at a time: for a single-user stand-in that costs little (~10 %).
   */
  static MongoBackend serialized(MongoBackend backend, Runnable afterEach) {
    Object lock = new Object();
    return (MongoBackend) Proxy.newProxyInstance(MongoBackend.class.getClassLoader(), new Class<?>[] {MongoBackend.class}, (proxy, method, args) -> {
      try {
        if (!SERIALIZED.contains(method.getName())) return method.invoke(backend, args);
        synchronized (lock) {
          try {
            return method.invoke(backend, args);
          } finally {
            afterEach.run();
          }
        }
      } catch (InvocationTargetException e) {
        throw e.getCause(); // the backend's own exception, which the server turns into an error reply
      }
    });
  }

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: EmbeddedMongo <memory|h2:FILE> <port>");
      System.exit(2);
    }
    String store = args[0];
    int port = Integer.parseInt(args[1]);

    H2Backend h2 = null;
    MongoServer server;
    try {
      MongoBackend backend;
      if (store.equals("memory")) {
        backend = new MemoryBackend();
      } else if (store.startsWith("h2:")) {
        h2 = new H2Backend(store.substring(3)); // fails with "The file is locked" if another process holds it
        backend = h2;
      } else {
        throw new IllegalArgumentException("unknown store " + store + " (expected memory or h2:FILE)");
      }
      backend.version(Wire9.MONGO_5_0_WIRE_9);
      // H2: commit the store after every call, before its reply, so an acknowledged write survives a kill -9 of this
      // process (the MVStore otherwise commits about once a second and a crash lost the writes of that second;
      // found by tests/chaos). A commit with nothing changed does nothing.
      final H2Backend durable = h2;
      server = new MongoServer(serialized(backend, durable == null ? () -> {} : durable::commit));
      server.bind("127.0.0.1", port); // loopback only
    } catch (Exception e) { // also the BindException netty throws unchecked
      // one line the parent can quote (the last lines of a stack trace say nothing)
      StringBuilder why = new StringBuilder(String.valueOf(e));
      for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) why.append(" <- ").append(c);
      System.err.println("FAILED " + why);
      if (h2 != null) h2.close();
      System.exit(1);
      return;
    }

    final H2Backend store2 = h2;
    final MongoServer running = server;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running.shutdownNow(); // stops listening, closes client connections (does not close the backend)
      } catch (RuntimeException e) {
        System.err.println("shutdown: " + e);
      }
      if (store2 != null) {
        try {
          store2.commit();
          store2.close(); // closes the MVStore: everything is on disk
        } catch (RuntimeException e) {
          System.err.println("closing the H2 store: " + e);
        }
      }
    }, "embedded-mongo-shutdown"));

    System.out.println("READY " + port);
    System.out.flush();

    // The parent holds our stdin open for as long as it wants us; EOF (or an error) means it is gone.
    InputStream in = System.in;
    byte[] buf = new byte[256];
    try {
      while (in.read(buf) >= 0) {
        // ignore anything written
      }
    } catch (IOException e) {
      // parent gone
    }
    System.exit(0); // runs the shutdown hook
  }
}
