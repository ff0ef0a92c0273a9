package io.streamlearn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java producer and consumer example compiles against the published classes. */
class ReadmeJavaExampleTest {
  @Test
  void theReadmeJavaExampleCompiles(@TempDir Path out) throws Exception {
    String readme = Files.readString(Path.of("..", "..", "README.md"));
    Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertEquals(true, m.find(), "the README has a ```java block");
    String source = """
        import io.streamlearn.schema.*;
        import java.time.*;
        import java.util.*;
        import org.apache.kafka.clients.consumer.*;
        import org.apache.kafka.clients.producer.*;
        import org.apache.kafka.common.serialization.*;
        class ReadmeExample {
          void run() {
        """ + m.group(1) + "\n  }\n}\n";
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "a JDK compiler");
    JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///ReadmeExample.java"),
        JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    StringWriter errors = new StringWriter();
    boolean ok = javac.getTask(errors, null, null, List.of("-d", out.toString(), "-classpath",
        System.getProperty("java.class.path")), null, List.of(file)).call();
    assertEquals(true, ok, "README example compiles:\n" + errors + "\n" + source);
  }
}
