package dev.loopkit.webconsole;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
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

    RequestGuard() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
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
        if (sentToken == null || !MessageDigest.isEqual(sentToken.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8))) {
            return "refused: no valid " + TOKEN_HEADER + " header (the Web Console's page sends it)";
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
