package dev.loopkit.webconsole;

import jakarta.servlet.http.HttpServletRequest;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Keeps other sites from steering Loopkit through a browser that is logged in to the Web Console
 * (its HTTP Basic credentials go along with any request to it, whoever's page sends it). A change
 * must come by POST with the token that only the console's own page holds, in header
 * {@value #TOKEN_HEADER}, and, when the browser says where the request comes from ({@code Origin}),
 * from the console's own origin. A cross-site page can send a POST but can read neither the token
 * nor set that header without the console's consent (CORS).
 */
final class RequestGuard {

    /** The request header that carries the token. */
    static final String TOKEN_HEADER = "X-Loopkit-Token";

    private final String token;

    /** A guard with a new token of its own. */
    RequestGuard() {
        this(newToken());
    }

    private RequestGuard(String token) {
        this.token = token;
    }

    /**
     * A guard whose token is kept in {@code file} (made there, readable by its owner only, when it has
     * none yet), so that every instance of the plugin shares it: SCR makes a new one whenever a service
     * it references comes back (the platform bundle restarted), and with a token of its own each new
     * instance refused every button of a page opened before, as if that page had sent none
     * (WebConsoleIT). {@code null} (a framework without a file system): a token of its own.
     */
    static RequestGuard keptIn(File file) {
        if (file == null) {
            return new RequestGuard();
        }
        Path path = file.toPath();
        try {
            if (Files.isRegularFile(path)) {
                String kept = Files.readString(path, StandardCharsets.US_ASCII).strip();
                if (kept.matches("[A-Za-z0-9_-]{43}")) {
                    return new RequestGuard(kept);
                }
            }
            String token = newToken();
            Path temporary = Files.createTempFile(path.toAbsolutePath().getParent(), ".token", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temporary, token, StandardCharsets.US_ASCII);
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
            return new RequestGuard(token);
        } catch (IOException | UnsupportedOperationException e) {
            return new RequestGuard(); // pages opened before the next restart of the plugin are refused then
        }
    }

    // 256 random bits, base64url without padding: 43 characters.
    private static String newToken() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** The token the page embeds. */
    String token() {
        return token;
    }

    /**
     * Why the change must be refused, or {@code null} when it may go ahead.
     *
     * @param sentToken the header {@value #TOKEN_HEADER}, or {@code null}
     * @param origin the header {@code Origin}, or {@code null}
     * @param ownOrigin the console's origin as this request reached it ({@code http://host:port})
     */
    String refusal(String sentToken, String origin, String ownOrigin) {
        String crossSite = crossSite(origin, ownOrigin);
        if (crossSite != null) {
            return crossSite;
        }
        // Compared in constant time: the time taken says nothing about how much of a guess was right.
        if (sentToken == null || sentToken.isEmpty()) {
            return "refused: no valid " + TOKEN_HEADER + " header (the Web Console's page sends it)";
        }
        if (!MessageDigest.isEqual(sentToken.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            return "refused: the page's " + TOKEN_HEADER + " is not the plugin's (a page from before the plugin was"
                    + " installed again?): reload the page";
        }
        return null;
    }

    /**
     * Why a request that says it comes from {@code origin} must be refused ({@code null}: it comes from
     * the console itself, or says nothing, as a request that no browser sent).
     */
    static String crossSite(String origin, String ownOrigin) {
        if (origin != null && !origin.equalsIgnoreCase(ownOrigin)) {
            return "refused: the request comes from " + origin + ", not from the Web Console (" + ownOrigin + ")";
        }
        return null;
    }

    /** The console's origin as {@code request} reached it: {@code http://host:port}. */
    static String ownOrigin(HttpServletRequest request) {
        return request.getScheme() + "://" + request.getHeader("Host");
    }
}
