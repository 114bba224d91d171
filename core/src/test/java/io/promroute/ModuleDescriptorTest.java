package io.promroute;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.promql.PromQL;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Core's public API is what module-info.java exports: the tests run on the class path, so this
 * reads the compiled descriptor and checks that only the packages users need are exported to all.
 */
class ModuleDescriptorTest {

  static ModuleDescriptor descriptorOf(Class<?> type) throws IOException {
    URI location;
    try {
      location = type.getProtectionDomain().getCodeSource().getLocation().toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    Path root = Path.of(location);
    if (Files.isDirectory(root)) {
      try (InputStream in = Files.newInputStream(root.resolve("module-info.class"))) {
        return ModuleDescriptor.read(in);
      }
    }
    return java.lang.module.ModuleFinder.of(root).findAll().iterator().next().descriptor();
  }

  static Map<String, Set<String>> exports(ModuleDescriptor descriptor) {
    Map<String, Set<String>> exports = new TreeMap<>();
    for (Exports export : descriptor.exports()) {
      exports.put(export.source(), export.targets());
    }
    return exports;
  }

  @Test
  void coreExportsTheUserPackagesToAllAndTheApiLayerOnlyToTheServletAdapter() throws IOException {
    ModuleDescriptor core = descriptorOf(PromQL.class);

    assertThat(core.name()).isEqualTo("io.promroute.core");
    // Not io.promroute.plan (the cross-shard planner) nor the generated grammar.
    assertThat(exports(core))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "io.promroute.promql", Set.of(),
                "io.promroute.promql.ast", Set.of(),
                "io.promroute.shard", Set.of(),
                "io.promroute.router", Set.of(),
                "io.promroute.api", Set.of("io.promroute.servlet"),
                "io.promroute.compat", Set.of("io.promroute.servlet")));
    assertThat(core.opens()).isEmpty();
  }
}
