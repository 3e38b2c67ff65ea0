package io.speculum.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.utils.ContainerTestUtils;

/**
 * The playground in a real browser: Debian's headless Chromium driven by Selenium through Debian's chromedriver, against
 * the standalone suite with the detector and the cascade router. It generates with the model drafter (coloured tokens,
 * τ, the acceptance chart), runs a detection, asks the cascade, and saves the screenshot the docs show
 * ({@code target/playground.png}; copy it to {@code docs/playground.png} when the page changes). Skipped, saying why,
 * where Chromium is not installed ({@code .ci/run} installs it).
 */
class PlaygroundBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String KEY = "browser-key";

    @TempDir
    static Path profile;
    private static ConfigurableApplicationContext standalone;
    private static String api;
    private static WebDriver browser;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the browser test needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
        standalone = StandaloneApplication.builder().run(
                "--speculum.standalone.services=verifier-service,drafter-service,small-drafter-service,cascade-router,"
                        + "detector-service,gateway",
                "--speculum.standalone.service-properties.server.port=0",
                "--speculum.standalone.service-properties.management.server.port=0",
                "--speculum.standalone.api-key=" + KEY,
                "--speculum.standalone.models.cache-dir=" + Path.of("target", "speculum-cache").toAbsolutePath(),
                "--speculum.shared.dir=" + System.getProperty("speculum.shared.dir"));
        ServiceLauncher launcher = standalone.getBean(ServiceLauncher.class);
        api = "http://localhost:" + launcher.services().get("gateway").getEnvironment().getProperty("local.server.port");
        for (String service : List.of("verifier-service", "drafter-service")) {
            for (MessageListenerContainer container : launcher.services().get(service)
                    .getBean(KafkaListenerEndpointRegistry.class).getListenerContainers()) {
                ContainerTestUtils.waitForAssignment(container, 3);
            }
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1100,1300");
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (standalone != null) {
            standalone.close();
        }
    }

    @Test
    void thePageAndItsAssetsAreServedWithoutAKeyAndTheApiStillNeedsOne() throws Exception {
        for (String path : List.of("/", "/playground.js", "/playground.css", "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js")) {
            HttpResponse<String> page = Sse.HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).as(path).isEqualTo(200);
        }
        HttpResponse<String> models = Sse.HTTP.send(HttpRequest.newBuilder(URI.create(api + "/v1/models")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(401);
    }

    @Test
    void generatesWithColouredTokensAndTauThenDetects() throws Exception {
        browser.get(api + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        browser.findElement(By.id("api-key")).sendKeys(KEY);
        browser.findElement(By.cssSelector("#key-form button")).click();
        wait.until(b -> !new Select(b.findElement(By.id("drafter"))).getOptions().isEmpty());
        assertThat(browser.findElement(By.id("api-key")).getAttribute("value")).as("the field forgets the key").isEmpty();
        assertThat(((ChromeDriver) browser).executeScript("return sessionStorage.getItem('speculum.apiKey')")).isEqualTo(KEY);
        assertThat(((ChromeDriver) browser).executeScript("return localStorage.length")).as("nothing persists").isEqualTo(0L);

        new Select(browser.findElement(By.id("drafter"))).selectByValue("model");
        browser.findElement(By.id("run")).click();
        wait.until(b -> !b.findElements(By.cssSelector("#answer .token.accepted")).isEmpty()
                && !b.findElement(By.id("tau")).getText().equals("–"));
        wait.until(b -> Integer.parseInt(b.findElement(By.id("rounds")).getText()) > 3);
        Thread.sleep(1500); // let the stream finish
        List<WebElement> tokens = browser.findElements(By.cssSelector("#answer .token"));
        assertThat(tokens.size()).isGreaterThan(10);
        assertThat(Double.parseDouble(browser.findElement(By.id("tau")).getText())).isGreaterThan(1.0);
        assertThat(tokens.getLast().getAttribute("title")).contains("logprob");
        new Actions(browser).moveToElement(tokens.get(3)).perform();
        wait.until(b -> b.findElement(By.id("hover")).getText().contains("logprob"));
        assertThat(browser.findElements(By.cssSelector("#acceptance-chart canvas"))).isNotEmpty();
        Path screenshot = Path.of("target", "playground.png");
        Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);

        browser.findElement(By.cssSelector("[data-tab=detect]")).click();
        browser.findElement(By.id("run-detect")).click();
        wait.until(b -> !b.findElement(By.id("decision")).getText().isEmpty());
        assertThat(browser.findElement(By.id("decision")).getText()).containsAnyOf("machine", "human", "P(machine)");
        assertThat(browser.findElements(By.cssSelector("#evidence .token.evidence"))).hasSizeGreaterThan(5);
        Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(), Path.of("target", "playground-detect.png"),
                StandardCopyOption.REPLACE_EXISTING);

        browser.findElement(By.cssSelector("[data-tab=cascade]")).click();
        browser.findElement(By.id("run-cascade")).click();
        wait.until(b -> !b.findElement(By.id("cascade-why")).getText().isEmpty());
        assertThat(browser.findElement(By.id("cascade-why")).getText()).matches("answered by the (small|large|mixed) model: .* score .* threshold .*");
        assertThat(browser.findElement(By.id("cascade-answer")).getText()).isNotBlank();
    }
}
