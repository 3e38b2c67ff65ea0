package io.speculum.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker/Dockerfile: stages, the layered jar, the runtime's user, flags, health check, models and the CUDA natives. */
class DockerfileTest {

    private static final Dockerfile DOCKERFILE = Dockerfile.parse(Repository.read(Repository.file("docker/Dockerfile")));

    @Test
    void theStagesReferToEachOther() {
        assertThat(DOCKERFILE.stageOrder()).containsExactly("layers", "cuda-natives", "cpu", "cuda", "4");
        assertThat(DOCKERFILE.defaultBase()).as("the default target is the CPU image").isEqualTo("cpu");
        Pattern from = Pattern.compile("--from=(\\S+)");
        for (String stage : DOCKERFILE.stageOrder()) {
            for (String copy : Dockerfile.arguments(DOCKERFILE.stage(stage), "COPY")) {
                Matcher m = from.matcher(copy);
                if (m.find()) {
                    int source = DOCKERFILE.stageOrder().indexOf(m.group(1));
                    assertThat(source).as(stage + ": COPY " + copy).isBetween(0, DOCKERFILE.stageOrder().indexOf(stage) - 1);
                }
            }
        }
    }

    @Test
    void theJarIsTheServicesExecJarSplitIntoLayers() {
        List<Dockerfile.Instruction> layers = DOCKERFILE.stage("layers");
        assertThat(Dockerfile.arguments(layers, "COPY")).containsExactly("${SERVICE}/target/speculum-${SERVICE}-*-exec.jar app.jar");
        assertThat(Dockerfile.arguments(layers, "RUN")).anySatisfy(r -> assertThat(r).contains("-Djarmode=tools", "extract --layers --launcher"));
        String rootPom = Repository.read(Repository.file("pom.xml"));
        assertThat(rootPom).contains("<classifier>exec</classifier>");
        for (ServiceConfig service : ServiceConfig.all()) {
            assertThat(Repository.read(Repository.file(service.module() + "/pom.xml")))
                    .as("the image copies speculum-<module>-*-exec.jar").contains("<artifactId>speculum-" + service.module() + "</artifactId>");
        }
        for (String runtime : List.of("cpu")) {
            assertThat(Dockerfile.arguments(DOCKERFILE.stage(runtime), "COPY")).contains(
                    "--from=layers /build/extracted/dependencies/ ./", "--from=layers /build/extracted/spring-boot-loader/ ./",
                    "--from=layers /build/extracted/snapshot-dependencies/ ./", "--from=layers /build/extracted/application/ ./");
        }
        assertThat(Repository.read(Repository.file(".dockerignore"))).contains("!*/target/speculum-*-exec.jar", "!docker/");
    }

    @Test
    void bothRuntimesRunAsNonRootWithNativeAccessAPrivateTempDirAndAHealthCheck() {
        for (String runtime : List.of("cpu", "cuda")) {
            List<Dockerfile.Instruction> stage = DOCKERFILE.stage(runtime);
            assertThat(Dockerfile.arguments(stage, "USER")).as(runtime).containsExactly("10001:10001");
            assertThat(Dockerfile.arguments(stage, "ENTRYPOINT")).as(runtime).singleElement().satisfies(e -> assertThat(e)
                    .contains("--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector", "-Dde.kherud.llama.tmpdir=/tmp/llama", "org.springframework.boot.loader.launch.JarLauncher"));
            assertThat(Dockerfile.arguments(stage, "HEALTHCHECK")).as(runtime).singleElement()
                    .satisfies(h -> assertThat(h).contains("CMD", "/usr/local/bin/speculum-healthcheck"));
            assertThat(Dockerfile.arguments(stage, "VOLUME")).as(runtime).containsExactly("[\"/models\"]");
            assertThat(stage).as(runtime + ": models are mounted, never copied").noneSatisfy(i -> assertThat(i.arguments()).contains(".gguf"));
        }
        String healthcheck = Repository.read(Repository.file("docker/healthcheck.sh"));
        assertThat(healthcheck).contains("GET /actuator/health ", "MANAGEMENT_SERVER_PORT", "SPECULUM_HEALTH_PORT");
        ServiceConfig.all().forEach(s -> assertThat(s.exposed()).as(s.module()).contains("health"));
    }

    @Test
    void theCudaImageBuildsTheBindingsLlamaVersionWithCudaAndPointsTheBindingAtIt() {
        String llamaVersion = property(Repository.read(Repository.file("pom.xml")), "llama.version");
        List<Dockerfile.Instruction> natives = DOCKERFILE.stage("cuda-natives");
        assertThat(Dockerfile.arguments(natives, "ARG")).contains("JLLAMA_REF=v" + llamaVersion);
        assertThat(Dockerfile.arguments(natives, "RUN")).anySatisfy(r -> assertThat(r).contains("-DGGML_CUDA=ON"))
                .anySatisfy(r -> assertThat(r).contains("--branch ${JLLAMA_REF}", "java-llama.cpp"));
        List<Dockerfile.Instruction> cuda = DOCKERFILE.stage("cuda");
        assertThat(Dockerfile.arguments(cuda, "COPY")).contains("--from=cuda-natives /natives/ /opt/llama/lib/");
        assertThat(Dockerfile.arguments(cuda, "ENV")).anySatisfy(e -> assertThat(e).contains("SPECULUM_LLAMA_LIBRARY=/opt/llama/lib/libjllama.so"));
        assertThat(Dockerfile.arguments(cuda, "ENTRYPOINT")).singleElement()
                .satisfies(e -> assertThat(e).contains("-Dspeculum.llama.library=$SPECULUM_LLAMA_LIBRARY"));
    }

    @Test
    void theReaderRejectsWhatIsNotADockerfile() {
        assertThatThrownBy(() -> Dockerfile.parse("FROM x AS a\nCOPPY a b\n")).hasMessageContaining("unknown Dockerfile instruction COPPY");
        assertThatThrownBy(() -> Dockerfile.parse("RUN true\n")).hasMessageContaining("before the first FROM");
        assertThatThrownBy(() -> Dockerfile.parse("FROM x\nRUN a \\")).hasMessageContaining("continued line");
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertThat(m.find()).as(name).isTrue();
        return m.group(1);
    }
}
