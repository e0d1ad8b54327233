// Starts mongo-java-server on 127.0.0.1 for the CRM's embedded default (single-file Java 17 program:
//   java -Xmx512m -cp '<lib>/*' EmbeddedMongo.java <memory|h2:FILE> <port>
// Prints "READY <port>" once listening. Exits when stdin closes (so a crashed parent never leaves an
// orphan JVM) or on SIGTERM, closing the H2 store cleanly so data survives.
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.InputStream;
import java.util.List;

public class EmbeddedMongo {
  /** The MongoDB drivers we use (7.x) need wire version 9 or more; the stock server reports 8. */
  enum Wire9 implements MongoVersion {
    MONGO_5_0_WIRE_9;
    public List<Integer> getVersionArray() { return List.of(5, 0, 0); }
    public int getWireVersion() { return 9; }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: EmbeddedMongo <memory|h2:FILE> <port>");
      System.exit(2);
    }
    String store = args[0];
    int port = Integer.parseInt(args[1]);
    MongoBackend backend;
    H2Backend h2 = null;
    if (store.equals("memory")) {
      backend = new MemoryBackend();
    } else if (store.startsWith("h2:")) {
      h2 = new H2Backend(store.substring(3));
      backend = h2;
    } else {
      throw new IllegalArgumentException("unknown store: " + store);
    }
    backend.version(Wire9.MONGO_5_0_WIRE_9);
    MongoServer server = new MongoServer(backend);
    server.bind("127.0.0.1", port);
    final H2Backend h2Final = h2;
    Runnable stop = () -> {
      server.shutdownNow();
      if (h2Final != null) {
        h2Final.commit();
        h2Final.close();
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(stop));
    System.out.println("READY " + port);
    System.out.flush();
    InputStream in = System.in;
    byte[] buf = new byte[256];
    while (in.read(buf) >= 0) { /* parent alive */ }
    System.exit(0);
  }
}
