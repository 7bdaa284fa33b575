package io.portico;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.jspecify.annotations.NullMarked;

/**
 * The package rules of docs/architecture.md ("Rules the build enforces"), checked on the compiled
 * main classes of the gateway and the SPI (tests are not imported). A rule that does not hold fails
 * the build with every offending dependency listed.
 */
@AnalyzeClasses(packages = "io.portico", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** Classes of the gateway or SPI outside the given packages. */
  private static DescribedPredicate<JavaClass> porticoOutside(String... packages) {
    return resideInAPackage("io.portico..")
        .and(not(resideInAnyPackage(packages)))
        .as("are in io.portico outside " + String.join(", ", packages));
  }

  @ArchTest
  static final ArchRule topLevelPackagesAreFreeOfCycles =
      slices()
          .matching("io.portico.(*)..")
          .should()
          .beFreeOfCycles()
          .because(
              "a request flows one way through the gateway, and so do dependencies: a cycle"
                  + " between top-level packages means neither can be understood or changed alone");

  @ArchTest
  static final ArchRule packagesAreFreeOfCycles =
      slices()
          .matching("io.portico.(**)")
          .should()
          .beFreeOfCycles()
          .because("no package depends, through others, on itself, sub-packages included");

  @ArchTest
  static final ArchRule spiDependsOnlyOnTheJdkAndNetty =
      classes()
          .that()
          .resideInAPackage("io.portico.spi..")
          .should()
          .onlyDependOnClassesThat()
          .resideInAnyPackage(
              "io.portico.spi..",
              "java..",
              "javax..",
              "io.netty..",
              "org.jspecify.annotations..",
              "org.jetbrains.annotations..")
          .because(
              "plugin authors compile against the SPI alone: it must not drag the gateway or any"
                  + " other library onto their classpath (nullness annotations aside, which are"
                  + " read at compile time only)");

  @ArchTest
  static final ArchRule builtInPluginsDependOnlyOnTheSpi =
      noClasses()
          .that()
          .resideInAPackage("io.portico.plugins..")
          .should()
          .dependOnClassesThat(
              porticoOutside(
                  "io.portico.spi..",
                  "io.portico.plugins..",
                  "io.portico.template..",
                  "io.portico.grpc.."))
          .because(
              "built-in plugins are plugins like any other: they use the SPI, the JDK, Netty and"
                  + " libraries, never the gateway's internals; the template language, itself"
                  + " built on the SPI alone, and the gRPC protocol library, which depends on"
                  + " nothing of the gateway, are the libraries of the gateway they share");

  @ArchTest
  static final ArchRule templatesDependOnlyOnTheSpi =
      noClasses()
          .that()
          .resideInAPackage("io.portico.template..")
          .should()
          .dependOnClassesThat(porticoOutside("io.portico.template..", "io.portico.spi.."))
          .because(
              "templates render values of the SPI's Exchange, so plugins may use them without"
                  + " reaching into the gateway");

  @ArchTest
  static final ArchRule pluginMachineryDependsOnlyOnTheSpi =
      noClasses()
          .that()
          .resideInAPackage("io.portico.plugin..")
          .should()
          .dependOnClassesThat(porticoOutside("io.portico.plugin..", "io.portico.spi.."))
          .because(
              "the registry and the chains load and run plugins through the SPI, and the config"
                  + " parser and the snapshot compiler both build on them");

  @ArchTest
  static final ArchRule onlyTheCliDependsOnTheApp =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.portico.app..", "io.portico.cli..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.portico.app..", "io.portico.cli..")
          .because(
              "app.Gateway is the one composition root: it wires everything else, and only the"
                  + " command line starts it");

  @ArchTest
  static final ArchRule appDoesNotDependOnTheCli =
      noClasses()
          .that()
          .resideInAPackage("io.portico.app..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.portico.cli..")
          .because("the command line starts the gateway, not the reverse (tests start it too)");

  @ArchTest
  static final ArchRule adminDependsNeitherOnTheAppNorOnTheDataPlane =
      noClasses()
          .that()
          .resideInAPackage("io.portico.admin..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.portico.app..", "io.portico.cli..", "io.portico.proxy..")
          .because(
              "the admin listener sees the running gateway through the AdminApi it owns (which"
                  + " app.Gateway implements) and through the snapshot");

  @ArchTest
  static final ArchRule configDependsOnlyOnTheSpiThePluginRegistryTheRouterAndTemplates =
      noClasses()
          .that()
          .resideInAPackage("io.portico.config..")
          .should()
          .dependOnClassesThat(
              porticoOutside(
                  "io.portico.config..",
                  "io.portico.spi..",
                  "io.portico.plugin..",
                  "io.portico.router..",
                  "io.portico.template.."))
          .because(
              "parsing a config needs only the SPI, the plugin registry (each plugin parses its"
                  + " own section), the router's pattern syntax and the template language (an"
                  + " aggregate's backend requests are templates); everything that runs builds on"
                  + " the config, never the reverse");

  @ArchTest
  static final ArchRule routerIsAPureLibrary =
      noClasses()
          .that()
          .resideInAPackage("io.portico.router..")
          .should()
          .dependOnClassesThat(porticoOutside("io.portico.router.."))
          .because(
              "the router matches requests to payloads of any type and knows nothing of the"
                  + " gateway, so it can be tested and benchmarked alone");

  @ArchTest
  static final ArchRule forwardingAndTlsDependOnlyOnTheConfig =
      noClasses()
          .that()
          .resideInAnyPackage("io.portico.forwarding..", "io.portico.tls..")
          .should()
          .dependOnClassesThat(
              porticoOutside("io.portico.forwarding..", "io.portico.tls..", "io.portico.config.."))
          .because(
              "the forwarding policy and the listeners' TLS are compiled from the config into the"
                  + " snapshot, and the proxy uses them from there");

  @ArchTest
  static final ArchRule snapshotDoesNotDependOnWhatRunsIt =
      noClasses()
          .that()
          .resideInAPackage("io.portico.snapshot..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.portico.proxy..",
              "io.portico.admin..",
              "io.portico.app..",
              "io.portico.cli..",
              "io.portico.plugins..")
          .because(
              "the proxy reads the snapshot, never the reverse; plugins are created through the"
                  + " SPI's factories");

  @ArchTest
  static final ArchRule upstreamDependsOnlyOnLowerLayers =
      noClasses()
          .that()
          .resideInAPackage("io.portico.upstream..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.portico.proxy..",
              "io.portico.snapshot..",
              "io.portico.admin..",
              "io.portico.app..",
              "io.portico.cli..",
              "io.portico.plugins..")
          .because(
              "upstream pools, balancers and endpoint sources are a library the proxy and the"
                  + " snapshot use; they know neither");

  @ArchTest
  static final ArchRule observeDependsOnNoOtherGatewayPackage =
      noClasses()
          .that()
          .resideInAPackage("io.portico.observe..")
          .should()
          .dependOnClassesThat(porticoOutside("io.portico.observe..", "io.portico.config.."))
          .because(
              "observers receive finished exchanges as plain records; the proxy reports to them,"
                  + " so they must not reach back into the proxy or anything else that runs");

  @ArchTest
  static final ArchRule proxyKnowsNoPluginAdminOrApp =
      noClasses()
          .that()
          .resideInAPackage("io.portico.proxy..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.portico.plugins..", "io.portico.admin..", "io.portico.app..", "io.portico.cli..")
          .because(
              "the data plane runs plugins through the SPI only, and is started and read by the"
                  + " app and the admin listener, not the reverse");

  @ArchTest
  static final ArchRule storeDependsOnlyOnConfigAndTheSpi =
      noClasses()
          .that()
          .resideInAPackage("io.portico.store..")
          .should()
          .dependOnClassesThat(
              porticoOutside("io.portico.store..", "io.portico.config..", "io.portico.spi.."))
          .because(
              "the admin API's objects are config: the admin listener and the composition root use"
                  + " the store, never the reverse");

  @ArchTest
  static final ArchRule accountsDependOnlyOnConfigAndTheStore =
      noClasses()
          .that()
          .resideInAPackage("io.portico.accounts..")
          .should()
          .dependOnClassesThat(
              porticoOutside(
                  "io.portico.accounts..",
                  "io.portico.config..",
                  "io.portico.store..",
                  "io.portico.spi.."))
          .because(
              "accounts are kept in the store and checked by the admin listener, which calls them;"
                  + " they know nothing of HTTP, the admin listener or the data plane");

  @ArchTest
  static final ArchRule aggregateDependsOnlyOnConfigUpstreamAndObserve =
      noClasses()
          .that()
          .resideInAPackage("io.portico.aggregate..")
          .should()
          .dependOnClassesThat(
              porticoOutside(
                  "io.portico.aggregate..",
                  "io.portico.config..",
                  "io.portico.upstream..",
                  "io.portico.observe..",
                  "io.portico.spi..",
                  "io.portico.template.."))
          .because(
              "an aggregation makes upstream calls, renders its backends' requests from templates"
                  + " over the exchange and reports to observers; the snapshot compiles its plans"
                  + " and the proxy runs them, never the reverse");

  @ArchTest
  static final ArchRule trafficDependsOnlyOnConfigAndUpstream =
      noClasses()
          .that()
          .resideInAPackage("io.portico.traffic..")
          .should()
          .dependOnClassesThat(
              porticoOutside(
                  "io.portico.traffic..", "io.portico.config..", "io.portico.upstream.."))
          .because(
              "a split chooses among upstream services and a mirror makes upstream calls; the"
                  + " snapshot compiles them and the proxy runs them, never the reverse");

  @ArchTest
  static final ArchRule grpcIsAProtocolLibrary =
      noClasses()
          .that()
          .resideInAPackage("io.portico.grpc..")
          .should()
          .dependOnClassesThat(
              porticoOutside(
                  "io.portico.grpc..",
                  "io.portico.config..",
                  "io.portico.upstream..",
                  "io.portico.observe..",
                  "io.portico.spi..",
                  "io.portico.template.."))
          .because(
              "gRPC framing, statuses, transcoding and the gRPC-Web bridge are a protocol library"
                  + " the proxy and the snapshot use; it makes upstream calls but runs no exchange");

  private static final ArchCondition<JavaClass> RESIDE_IN_A_NULL_MARKED_PACKAGE =
      new ArchCondition<>("reside in a package annotated @NullMarked") {
        @Override
        public void check(JavaClass item, ConditionEvents events) {
          boolean marked = item.getPackage().isAnnotatedWith(NullMarked.class);
          events.add(
              new SimpleConditionEvent(
                  item,
                  marked,
                  item.getName()
                      + " is in "
                      + item.getPackageName()
                      + ", which has no @NullMarked package-info.java"));
        }
      };

  @ArchTest
  static final ArchRule packagesAreNullMarked =
      classes()
          .that()
          .resideInAPackage("io.portico..")
          .should(RESIDE_IN_A_NULL_MARKED_PACKAGE)
          .because(
              "NullAway checks only @NullMarked code: a package without the annotation has its"
                  + " null contracts written in Javadoc alone");
}
