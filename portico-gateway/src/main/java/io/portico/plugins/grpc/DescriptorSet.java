package io.portico.plugins.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@code FileDescriptorSet} ({@code protoc --descriptor_set_out --include_imports}) read and
 * linked: its files, services and messages, and a JSON type registry over all of them (for {@code
 * Any} values). Loading never throws for a bad file: it says why in {@link Invalid}. Immutable.
 */
final class DescriptorSet {

  /** The extension number of {@code google.api.http} on {@code MethodOptions}. */
  static final int HTTP_RULE_FIELD = 72295728;

  static final String HTTP_RULE_TYPE = "google.api.HttpRule";

  /** Why a descriptor set could not be used. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  private final Map<String, FileDescriptor> files;
  private final Map<String, ServiceDescriptor> services;
  private final JsonFormat.TypeRegistry types;
  private final @Nullable Descriptor httpRule;

  private DescriptorSet(Map<String, FileDescriptor> files) {
    this.files = files;
    Map<String, ServiceDescriptor> byName = new LinkedHashMap<>();
    JsonFormat.TypeRegistry.Builder registry = JsonFormat.TypeRegistry.newBuilder();
    Descriptor rule = null;
    for (FileDescriptor file : files.values()) {
      for (ServiceDescriptor service : file.getServices()) {
        byName.put(service.getFullName(), service);
      }
      for (Descriptor message : file.getMessageTypes()) {
        registry.add(message);
        if (message.getFullName().equals(HTTP_RULE_TYPE)) {
          rule = message;
        }
      }
    }
    this.services = byName;
    this.types = registry.build();
    this.httpRule = rule;
  }

  /** Reads and links the set in {@code file}. */
  static DescriptorSet load(Path file) throws Invalid {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new Invalid(
          file
              + " does not exist (expected: a descriptor set built with protoc --include_imports"
              + " --descriptor_set_out="
              + file.getFileName()
              + ")");
    } catch (IOException e) {
      throw new Invalid(
          "cannot read "
              + file
              + " ("
              + (Files.isDirectory(file) ? "it is a directory" : e.toString())
              + ") (expected: a readable descriptor set file)");
    }
    FileDescriptorSet set;
    try {
      set = FileDescriptorSet.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new Invalid(
          file
              + " is not a protobuf FileDescriptorSet ("
              + e.getMessage()
              + ")"
              + " (expected: the output of protoc --descriptor_set_out --include_imports)");
    }
    if (set.getFileCount() == 0) {
      throw new Invalid(file + " holds no .proto files (expected: a FileDescriptorSet)");
    }
    Map<String, FileDescriptorProto> protos = new HashMap<>();
    for (FileDescriptorProto proto : set.getFileList()) {
      protos.put(proto.getName(), proto);
    }
    Map<String, FileDescriptor> linked = new LinkedHashMap<>();
    for (FileDescriptorProto proto : set.getFileList()) {
      link(proto, protos, linked, new ArrayList<>(), file);
    }
    return new DescriptorSet(linked);
  }

  private static FileDescriptor link(
      FileDescriptorProto proto,
      Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> linked,
      List<String> chain,
      Path file)
      throws Invalid {
    FileDescriptor done = linked.get(proto.getName());
    if (done != null) {
      return done;
    }
    if (chain.contains(proto.getName())) {
      throw new Invalid(file + ": " + proto.getName() + " imports itself through " + chain);
    }
    chain.add(proto.getName());
    FileDescriptor[] deps = new FileDescriptor[proto.getDependencyCount()];
    for (int i = 0; i < deps.length; i++) {
      String name = proto.getDependency(i);
      FileDescriptorProto dep = protos.get(name);
      if (dep == null) {
        throw new Invalid(
            file
                + ": "
                + proto.getName()
                + " imports "
                + name
                + ", which the set lacks"
                + " (expected: a set built with protoc --include_imports)");
      }
      deps[i] = link(dep, protos, linked, chain, file);
    }
    chain.remove(chain.size() - 1);
    try {
      FileDescriptor built = FileDescriptor.buildFrom(proto, deps);
      linked.put(proto.getName(), built);
      return built;
    } catch (DescriptorValidationException e) {
      throw new Invalid(file + ": " + proto.getName() + " is invalid: " + e.getMessage());
    }
  }

  Map<String, ServiceDescriptor> services() {
    return services;
  }

  JsonFormat.TypeRegistry types() {
    return types;
  }

  int fileCount() {
    return files.size();
  }

  /**
   * The {@code google.api.http} rules of {@code method} as messages of the set's own {@code
   * google.api.HttpRule} type: empty when the method has none.
   */
  List<DynamicMessage> httpRules(MethodDescriptor method) throws Invalid {
    List<ByteString> raw =
        method.getOptions().getUnknownFields().hasField(HTTP_RULE_FIELD)
            ? method
                .getOptions()
                .getUnknownFields()
                .getField(HTTP_RULE_FIELD)
                .getLengthDelimitedList()
            : List.of();
    if (raw.isEmpty()) {
      return List.of();
    }
    Descriptor type = httpRule;
    if (type == null) {
      throw new Invalid(
          method.getFullName()
              + " has a google.api.http option but the set lacks"
              + " google/api/http.proto (expected: a set built with --include_imports)");
    }
    List<DynamicMessage> rules = new ArrayList<>();
    for (ByteString bytes : raw) {
      try {
        rules.add(DynamicMessage.parseFrom(type, bytes));
      } catch (InvalidProtocolBufferException e) {
        throw new Invalid(method.getFullName() + " has an unreadable google.api.http option");
      }
    }
    return rules;
  }

  /** The field of {@code type} named {@code name} in proto or JSON form, or null. */
  static @Nullable FieldDescriptor field(Descriptor type, String name) {
    FieldDescriptor f = type.findFieldByName(name);
    if (f != null) {
      return f;
    }
    for (FieldDescriptor candidate : type.getFields()) {
      if (candidate.getJsonName().equals(name)) {
        return candidate;
      }
    }
    return null;
  }
}
