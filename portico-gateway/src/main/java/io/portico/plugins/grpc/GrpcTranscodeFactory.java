package io.portico.plugins.grpc;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code grpc-transcode}: JSON over HTTP into gRPC calls, by the {@code google.api.http} bindings
 * of the services of a descriptor set.
 *
 * <p>The descriptor set is read and linked here, at config load, so {@code portico validate}
 * reports a file that is missing or does not parse at the {@code descriptor-set} key, and every
 * reload reads it again (a reload that fails keeps the config that serves). See {@link
 * TranscodePlugin} for what happens per request.
 */
public final class GrpcTranscodeFactory implements PluginFactory<TranscodeConfig> {

  static final long DEFAULT_MAX_MESSAGE = 4L * 1024 * 1024;

  @Override
  public String name() {
    return "grpc-transcode";
  }

  @Override
  public int priority() {
    return 500;
  }

  @Override
  public @Nullable TranscodeConfig parse(ConfigReader config) {
    ConfigNode fileNode = config.required("descriptor-set", "the path of a descriptor set file");
    List<String> serviceNames = config.strings("services");
    boolean enumsAsInts = config.bool("print-enum-as-int", false);
    boolean protoNames = config.bool("preserve-proto-field-names", false);
    boolean primitives = config.bool("always-print-primitive-fields", false);
    boolean ignoreUnknownQuery = config.bool("ignore-unknown-query-params", false);
    String format = config.oneOf("stream-format", "ndjson", List.of("ndjson", "sse"));
    long maxMessage =
        config.size("max-message-size", DEFAULT_MAX_MESSAGE, 1, Integer.MAX_VALUE - 64);
    if (fileNode == null || !fileNode.isScalar()) {
      if (fileNode != null) {
        config.problems().expected(fileNode, "the path of a descriptor set file");
      }
      return null;
    }
    Path file = resolve(fileNode);
    DescriptorSet set;
    try {
      set = DescriptorSet.load(file);
    } catch (DescriptorSet.Invalid e) {
      config.problems().at(fileNode, String.valueOf(e.getMessage()));
      return null;
    }
    List<ServiceDescriptor> services = new ArrayList<>();
    if (serviceNames.isEmpty()) {
      for (ServiceDescriptor s : set.services().values()) {
        if (!s.getFullName().startsWith("google.")) {
          services.add(s);
        }
      }
    } else {
      ConfigNode servicesNode = config.child("services");
      for (String name : serviceNames) {
        ServiceDescriptor s = set.services().get(name);
        if (s == null) {
          config
              .problems()
              .at(
                  servicesNode == null ? config.node() : servicesNode,
                  "\""
                      + name
                      + "\" is not a service of "
                      + file
                      + " (expected: one of "
                      + String.join(", ", set.services().keySet())
                      + ")");
        } else {
          services.add(s);
        }
      }
    }
    List<Binding> bindings = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (ServiceDescriptor service : services) {
      for (MethodDescriptor method : service.getMethods()) {
        List<DynamicMessage> rules;
        try {
          rules = set.httpRules(method);
        } catch (DescriptorSet.Invalid e) {
          problems.add(e.getMessage());
          continue;
        }
        bindings.addAll(Binding.of(method, rules, problems));
      }
    }
    for (String problem : problems) {
      config.problems().at(fileNode, problem);
    }
    if (bindings.isEmpty() && problems.isEmpty() && !services.isEmpty()) {
      config
          .problems()
          .at(
              fileNode,
              "no method of "
                  + services.size()
                  + " service(s) has a google.api.http option"
                  + " (expected: methods annotated with google.api.http)");
    }
    bindings.sort(Binding::specificity);
    JsonFormat.Printer printer =
        JsonFormat.printer().usingTypeRegistry(set.types()).omittingInsignificantWhitespace();
    if (enumsAsInts) {
      printer = printer.printingEnumsAsInts();
    }
    if (protoNames) {
      printer = printer.preservingProtoFieldNames();
    }
    if (primitives) {
      printer = printer.alwaysPrintFieldsWithNoPresence();
    }
    JsonFormat.Parser parser = JsonFormat.parser().usingTypeRegistry(set.types());
    return new TranscodeConfig(
        file.toString(),
        List.copyOf(bindings),
        printer,
        parser,
        ignoreUnknownQuery,
        TranscodeConfig.StreamFormat.valueOf(format.toUpperCase(Locale.ROOT)),
        (int) maxMessage);
  }

  /** A relative path is read from the directory of the config file that names it. */
  private static Path resolve(ConfigNode node) {
    Path path = Path.of(node.scalarText());
    if (path.isAbsolute()) {
      return path;
    }
    try {
      Path source = Path.of(node.location().source());
      if (Files.isRegularFile(source)) {
        Path dir = source.toAbsolutePath().getParent();
        if (dir != null) {
          return dir.resolve(path).normalize();
        }
      }
    } catch (RuntimeException e) {
      // not a file name (an inline config): the working directory
    }
    return path;
  }

  @Override
  public Plugin create(TranscodeConfig config, PluginContext context) {
    return new TranscodePlugin(config);
  }

  /** The services and methods a config exposes, for messages and tests. */
  static Map<String, String> describe(TranscodeConfig config) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Binding b : config.bindings()) {
      out.put(b.httpMethod() + " " + b.template().text(), b.grpcPath());
    }
    return out;
  }
}
