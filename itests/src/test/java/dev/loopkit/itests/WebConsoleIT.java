package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The Web Console of the distribution as a user meets it: {@code bin/loopkit} runs the platform, a
 * headless Chromium (Debian's, driven by Selenium through the system's chromedriver) opens
 * {@code /system/console/loops} with the password the first start made, and what the page shows
 * and does is checked against the platform's own shell. Without Chromium (itests/setup-browser.sh
 * installs it) the browser tests skip, saying so; the HTTP checks still run. The same platform applies
 * {@code conf/*.cfg} on edit (FileInstall).
 */
public class WebConsoleIT {

    private static final String USER = "admin";
    private static final String PAGE = "/system/console/loops";
    private static final long TIMEOUT_SECONDS = 60;

    private static RunningPlatform platform;
    private static String origin;
    private static String password;
    private static ChromeDriver browser;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeClass
    public static void startThePlatform() throws Exception {
        Path data = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "loopkit-data");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        origin = "http://127.0.0.1:" + port;
        platform = new RunningPlatform(Map.of("LOOPKIT_DATA", data.toString(),
                "LOOPKIT_JAVA_OPTS", "-Dorg.osgi.service.http.port=" + port));
        // the first start makes the password, keeps it in the data folder and prints it once
        Matcher printed = platform.expect(0, "loopkit: the Web Console is at " + Pattern.quote(origin + PAGE)
                + " \\(user admin, password (\\S+), kept in " + Pattern.quote(data.resolve("webconsole.password").toString()) + "\\)");
        password = Files.readString(data.resolve("webconsole.password")).strip();
        assertEquals(platform.toString(), password, printed.group(1));
        platform.expect(0, "g! ");
        awaitTrue("the Web Console answers at " + origin + PAGE, () -> status(get(PAGE, USER + ":" + password)) == 200);
    }

    @AfterClass
    public static void stopEverything() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    public void thePageShowsWhatLoopPoliciesAndLoopWatchersPrint() throws Exception {
        openThePage();
        assertShows("policies", platform.command("loop:policies", "process-wide: .*"));
        assertShows("watchers", platform.command("loop:watchers", "process-wide: .*"));
        screenshot("tables");
    }

    @Test
    public void theStatusTabHasWhatTheLoopCommandsPrint() throws Exception {
        HttpResponse<String> status = get("/system/console/status-loopkit.txt", USER + ":" + password);
        assertEquals(status.body(), 200, status.statusCode());
        String policies = platform.command("loop:policies", "process-wide: .*");
        assertTrue(status.body() + "\nlacks\n" + policies, status.body().contains("loop:policies\n" + policies));
        assertTrue(status.body(), status.body().contains("\nloop:loops\n") && status.body().contains("\nloop:children\n"));
    }

    @Test
    public void aSwitchButtonChangesTheWatcherAndLoopWatcherAgrees() throws Exception {
        openThePage();
        String current = platform.command("loop:watcher", "process-wide: .*").strip();
        String other = Stream.of("safe", "multiloop", "threaded").filter(name -> !current.startsWith("process-wide: " + name + " "))
                .findFirst().orElseThrow();
        try {
            browser.findElement(By.id("loopkit-watcher-" + other)).click();
            String chosen = "process-wide: " + other + " (configured: configuration dev.loopkit.policy)";
            awaitTrue("the page says " + chosen, () -> text("loopkit-message").equals(chosen)
                    && text("loopkit-watchers-summary").equals(chosen));
            assertEquals(chosen, platform.command("loop:watcher", "process-wide: .*").strip());
            assertShows("watchers", platform.command("loop:watchers", "process-wide: .*"));
            screenshot("switched");
        } finally {
            browser.findElement(By.id("loopkit-reset-watcher")).click();
        }
        awaitTrue("the page says " + current, () -> text("loopkit-watchers-summary").equals(current));
        assertEquals(current, platform.command("loop:watcher", "process-wide: .*").strip());
    }

    @Test
    public void aChangeWithoutTheConsolesAuthenticationIsRefused() throws Exception {
        String before = platform.command("loop:watcher", "process-wide: .*");
        HttpResponse<String> anonymous = send(post("action=watcher&name=safe", null, tokenOfThePage()));
        assertEquals(anonymous.body(), 401, anonymous.statusCode());
        HttpResponse<String> wrongPassword = send(post("action=watcher&name=safe", USER + ":" + password + "x", tokenOfThePage()));
        assertEquals(wrongPassword.body(), 401, wrongPassword.statusCode());
        assertEquals(401, status(get(PAGE + "/data.json", null)));
        assertEquals(before, platform.command("loop:watcher", "process-wide: .*"));
    }

    @Test
    public void aChangeWithoutThePagesTokenOrFromAnotherSiteIsRefused() throws Exception {
        String before = platform.command("loop:watcher", "process-wide: .*");
        String login = USER + ":" + password;
        HttpResponse<String> noToken = send(post("action=watcher&name=safe", login, null));
        assertEquals(noToken.body(), 403, noToken.statusCode());
        assertEquals("{\"error\":\"refused: no valid X-Loopkit-Token header (the Web Console's page sends it)\"}", noToken.body());
        HttpResponse<String> wrongToken = send(post("action=watcher&name=safe", login, "guessed"));
        assertEquals(wrongToken.body(), 403, wrongToken.statusCode());
        HttpResponse<String> crossSite = send(HttpRequest.newBuilder(post("action=watcher&name=safe", login, tokenOfThePage()), (name, value) -> true)
                .header("Origin", "http://attacker.example").build());
        assertEquals(crossSite.body(), 403, crossSite.statusCode());
        HttpResponse<String> byGet = send(HttpRequest.newBuilder(URI.create(origin + PAGE + "?action=watcher&name=safe"))
                .header("Authorization", basic(login)).header("X-Loopkit-Token", tokenOfThePage()).build());
        assertEquals(200, byGet.statusCode()); // the page, not a change
        assertEquals(before, platform.command("loop:watcher", "process-wide: .*"));
        // and the same request with the page's token is taken, with the words of loop:watcher
        HttpResponse<String> unknown = send(post("action=watcher&name=nosuch", login, tokenOfThePage()));
        assertEquals(unknown.body(), 400, unknown.statusCode());
        assertTrue(unknown.body(), unknown.body().startsWith("{\"error\":\"Unknown child watcher 'nosuch' ("));
    }

    /** The console's own pages have no token: a change another site's page sends them is refused by its origin. */
    @Test
    public void theConsolesOwnPagesRefuseAChangeFromAnotherSite() throws Exception {
        String before = platform.command("loop:watcher", "process-wide: .*");
        HttpResponse<String> configuration = send(HttpRequest.newBuilder(URI.create(origin + "/system/console/configMgr/dev.loopkit.policy"))
                .header("Authorization", basic(USER + ":" + password)).header("Origin", "http://attacker.example")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("apply=true&action=ajaxConfigManager&propertylist=watcher&watcher=safe"))
                .build());
        assertEquals(configuration.body(), 403, configuration.statusCode());
        HttpResponse<String> install = send(HttpRequest.newBuilder(URI.create(origin + "/system/console/bundles"))
                .header("Authorization", basic(USER + ":" + password)).header("Origin", "null")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("action=refreshPackages")).build());
        assertEquals(install.body(), 403, install.statusCode());
        String after = platform.command("loop:watcher", "process-wide: .*");
        if (!after.equals(before)) {
            platform.command("loop:reset-watcher", "process-wide: .*"); // the other tests start from the ranking
        }
        assertEquals(before, after);
    }

    @Test
    public void aConfFileAppliesOnEditAndAChoiceMadeLaterIsWrittenBackIntoIt() throws Exception {
        Path file = Distribution.home().resolve("conf/dev.loopkit.policy.cfg");
        String before = platform.command("loop:watcher", "process-wide: .*").strip();
        try {
            Files.writeString(file, "watcher = multiloop\n");
            awaitTrue("FileInstall applies " + file, () -> platform.command("loop:watcher", "process-wide: .*").strip()
                    .equals("process-wide: multiloop (configured: configuration dev.loopkit.policy)"));
            assertEquals("process-wide: safe (configured: configuration dev.loopkit.policy)",
                    platform.command("loop:watcher safe", "process-wide: .*").strip());
            awaitTrue("FileInstall writes the choice back into " + file,
                    () -> Files.readString(file).contains("watcher = \"safe\"") || Files.readString(file).contains("watcher = safe"));
        } finally {
            Files.deleteIfExists(file); // FileInstall deletes its configuration: the ranking decides again
        }
        awaitTrue("the watcher is " + before + " again", () -> platform.command("loop:watcher", "process-wide: .*").strip().equals(before));
    }

    /**
     * The console's own configuration editor changes {@code dev.loopkit.policy}: the change lands in the
     * {@code .cfg} file it came from, whose other lines stay, so the next start reads the same choice.
     */
    @Test
    public void anEditInTheConsolesConfigurationEditorIsWrittenIntoTheConfFile() throws Exception {
        Path file = Distribution.home().resolve("conf/dev.loopkit.policy.cfg");
        String before = platform.command("loop:watcher", "process-wide: .*").strip();
        try {
            Files.writeString(file, "# chosen by hand\nwatcher = multiloop\n");
            awaitTrue("FileInstall applies " + file, () -> platform.command("loop:watcher", "process-wide: .*").strip()
                    .equals("process-wide: multiloop (configured: configuration dev.loopkit.policy)"));
            HttpResponse<String> edit = send(HttpRequest.newBuilder(URI.create(origin + "/system/console/configMgr/dev.loopkit.policy"))
                    .header("Authorization", basic(USER + ":" + password)).header("Origin", origin)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("apply=true&action=ajaxConfigManager&propertylist=watcher&watcher=safe"))
                    .build());
            assertTrue(edit.statusCode() + " " + edit.body(), edit.statusCode() < 400);
            awaitTrue("the edit applies", () -> platform.command("loop:watcher", "process-wide: .*").strip()
                    .equals("process-wide: safe (configured: configuration dev.loopkit.policy)"));
            assertEquals("# chosen by hand\nwatcher = safe\n", Files.readString(file));
        } finally {
            Files.deleteIfExists(file);
        }
        awaitTrue("the watcher is " + before + " again", () -> platform.command("loop:watcher", "process-wide: .*").strip().equals(before));
    }

    /**
     * The plugin's component is made again when the platform bundle (its ChoiceStore) restarts. A page
     * opened before kept refreshing its tables, so it looked alive, but every button of it was refused,
     * saying the page sent no token: each instance had a token of its own.
     */
    @Test
    public void aPageOpenedBeforeThePlatformBundleRestartsCanStillSwitch() throws Exception {
        String token = tokenOfThePage();
        String login = USER + ":" + password;
        restart("dev.loopkit.platform");
        awaitTrue("the page is back", () -> status(get(PAGE + "/data.json", login)) == 200);
        HttpResponse<String> reset = send(post("action=reset-watcher", login, token));
        assertEquals("a reset sent with the token of the page opened before the restart: " + reset.body(), 200, reset.statusCode());
    }

    /** The same through the browser: the page open, the platform bundle restarted, the reset button clicked. */
    @Test
    public void theResetButtonOfAnOpenPageWorksAfterThePlatformBundleRestarts() throws Exception {
        openThePage();
        String current = platform.command("loop:watcher", "process-wide: .*").strip();
        restart("dev.loopkit.platform");
        String refreshed = (String) ((JavascriptExecutor) browser).executeScript(
                "return document.getElementById('loopkit').getAttribute('data-refreshed');");
        awaitTrue("the open page refreshed its tables after the restart", () -> !refreshed.equals(((JavascriptExecutor) browser)
                .executeScript("return document.getElementById('loopkit').getAttribute('data-refreshed');")));
        browser.findElement(By.id("loopkit-reset-watcher")).click();
        awaitTrue("the page says what the reset did", () -> !text("loopkit-message").startsWith("Refreshed every")
                && !text("loopkit-message").startsWith("Cannot refresh"));
        screenshot("after-platform-restart");
        assertEquals(current, text("loopkit-message"));
    }

    private static void restart(String symbolicName) throws Exception {
        String bundleLine = "\\s*(\\d+)\\|[^|]*\\|[^|]*\\|" + Pattern.quote(symbolicName) + " .*";
        Matcher line = Pattern.compile("(?m)^" + bundleLine).matcher(platform.command("lb -s", bundleLine));
        assertTrue(platform.toString(), line.find());
        platform.command("stop " + line.group(1) + "; start " + line.group(1) + "; echo restarted", "restarted");
    }

    // ---- the browser ----

    private static void openThePage() throws Exception {
        if (browser == null) {
            Optional<File> chromium = onPath("chromium");
            Optional<File> driver = onPath("chromedriver");
            assumeTrue("no chromium on the PATH (itests/setup-browser.sh installs Debian's): the browser checks skip", chromium.isPresent());
            assumeTrue("no chromedriver on the PATH (itests/setup-browser.sh installs Debian's chromium-driver): the browser checks skip",
                    driver.isPresent());
            ChromeOptions options = new ChromeOptions().setBinary(chromium.get())
                    .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600");
            // the system's driver: Selenium must not try to download one
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.get()).usingAnyFreePort().build();
            browser = new ChromeDriver(service, options);
            browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(TIMEOUT_SECONDS));
            // Logging in through the address puts the credentials in the browser's cache for the site; the
            // page itself is then opened without them, as after a login dialog (a page whose address holds
            // credentials may not fetch()).
            browser.get("http://" + USER + ":" + password + "@" + origin.substring("http://".length()) + PAGE);
        }
        browser.get(origin + PAGE);
        awaitTrue("the page filled its tables", () -> !rows("policies").isEmpty() && !rows("watchers").isEmpty());
    }

    /** The table's rows as the page shows them, without the column of the switch buttons. */
    @SuppressWarnings("unchecked")
    private static List<List<String>> rows(String table) {
        return (List<List<String>>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll('#loopkit-' + arguments[0] + ' tbody tr'))"
                        + ".map(tr => Array.from(tr.cells).slice(0, arguments[1]).map(td => td.textContent));",
                table, headerSize(table));
    }

    private static long headerSize(String table) {
        return (Long) ((JavascriptExecutor) browser).executeScript(
                "return document.querySelectorAll('#loopkit-' + arguments[0] + ' thead th:not(:empty)').length + 1;", table);
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText().strip();
    }

    /** The page's table and summary line are what the shell printed: the same cells, the same words. */
    @SuppressWarnings("unchecked")
    private static void assertShows(String table, String printed) {
        List<String> shell = printed.lines().map(WebConsoleIT::words).filter(line -> !line.isEmpty()).toList();
        List<String> page = new ArrayList<>();
        page.add(words(String.join(" ", (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(document.querySelectorAll('#loopkit-' + arguments[0] + ' thead th')).map(th => th.textContent);", table))));
        rows(table).forEach(row -> page.add(words(String.join(" ", row))));
        page.add(text("loopkit-" + table + "-summary"));
        assertEquals(printed, shell, page);
    }

    private static String words(String line) {
        return line.strip().replaceAll("\\s+", " ");
    }

    private static void screenshot(String name) throws IOException {
        Path file = Path.of("target", "webconsole-" + name + ".png");
        Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
    }

    private static Optional<File> onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(directory -> new File(directory, program)).filter(File::canExecute).findFirst();
    }

    // ---- plain HTTP ----

    private static String tokenOfThePage() throws IOException, InterruptedException {
        String page = get(PAGE, USER + ":" + password).body();
        Matcher token = Pattern.compile("data-token='([^']+)'").matcher(page);
        assertTrue(page, token.find());
        return token.group(1);
    }

    private static HttpRequest post(String form, String login, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(origin + PAGE))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8));
        if (login != null) {
            request.header("Authorization", basic(login));
        }
        if (token != null) {
            request.header("X-Loopkit-Token", token);
        }
        return request.build();
    }

    private static HttpResponse<String> get(String path, String login) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(origin + path));
        if (login != null) {
            request.header("Authorization", basic(login));
        }
        return send(request.build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static int status(HttpResponse<String> response) {
        return response.statusCode();
    }

    private static String basic(String login) {
        return "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8));
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (ConnectException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + TIMEOUT_SECONDS + " s: " + what + "\n" + platform);
    }
}
