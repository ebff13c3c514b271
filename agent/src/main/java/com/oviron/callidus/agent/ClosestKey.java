package com.oviron.callidus.agent;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The known key a typo most likely meant ({@code stor} → {@code store}), by the optimal string alignment
 * distance (Damerau-Levenshtein where a swap of two neighbouring letters costs one edit), case folded. A key
 * is suggested only when it is close: at most one edit for keys up to four letters, two up to eight, three
 * beyond; a tie between two known keys suggests none (a guess the technician cannot trust is worse than none).
 */
final class ClosestKey {
    private ClosestKey() {
    }

    static Optional<String> among(String typo, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        boolean tie = false;
        String a = typo.toLowerCase(Locale.ROOT);
        for (String candidate : known) {
            int d = distance(a, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
                tie = false;
            } else if (d == bestDistance) {
                tie = true;
            }
        }
        if (best == null || tie || bestDistance > allowedEdits(Math.max(typo.length(), best.length()))) {
            return Optional.empty();
        }
        return Optional.of(best);
    }

    private static int allowedEdits(int length) {
        return length <= 4 ? 1 : length <= 8 ? 2 : 3;
    }

    /** Edits (insert, delete, replace, swap of neighbours) that turn {@code a} into {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
