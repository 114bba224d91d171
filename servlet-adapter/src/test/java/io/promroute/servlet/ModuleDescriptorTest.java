package io.promroute.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The servlet adapter exports only its own package (the tests run on the class path). */
class ModuleDescriptorTest {

  @Test
  void servletAdapterExportsOnlyItsFilterPackageAndPassesCoreAndServletOnToUsers()
      throws IOException, URISyntaxException {
    Path classes =
        Path.of(PromRouteFilter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleDescriptor servlet;
    try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
      servlet = ModuleDescriptor.read(in);
    }

    assertThat(servlet.name()).isEqualTo("io.promroute.servlet");
    assertThat(servlet.exports())
        .singleElement()
        .satisfies(
            export -> {
              assertThat(export.source()).isEqualTo("io.promroute.servlet");
              assertThat(export.isQualified()).isFalse();
            });
    assertThat(
            servlet.requires().stream()
                .filter(requires -> requires.modifiers().contains(Requires.Modifier.TRANSITIVE))
                .map(Requires::name)
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("io.promroute.core", "jakarta.servlet");
  }
}
