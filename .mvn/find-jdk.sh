# Sourced by ./mvnw (POSIX sh, under `set -euf`) before it starts Maven: makes Maven run on a JDK 25 or newer, so that
# the README's commands work where the default JDK is older. Looks, in this order, and takes the first JDK 25+ found:
#   1. JAVA_HOME;
#   2. the `java` on the PATH;
#   3. the folders in SPECULUM_JDK_SEARCH (':'-separated shell patterns, each match a JDK home), by default
#      /usr/lib/jvm/*, /opt/java/*, SDKMAN's candidates, Homebrew's openjdk formulae and macOS's JavaVirtualMachines.
# A JDK found in 2 or 3 becomes JAVA_HOME (its bin first on the PATH) for this run only. When none is found nothing is
# changed: a line says where to get one, and the build's enforcer rule stops with its own message.

speculum_jdk_min=25

# The feature version of the JDK at $1 (25 for 25.0.1), or nothing when $1 is not a JDK.
speculum_jdk_version() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release"
  else
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p'
  fi
}

speculum_is_jdk() {
  speculum_v="$(speculum_jdk_version "$1")"
  [ -n "$speculum_v" ] && [ "$speculum_v" -ge "$speculum_jdk_min" ]
}

speculum_find_jdk() {
  if [ -n "${JAVA_HOME-}" ] && speculum_is_jdk "$JAVA_HOME"; then
    return 0
  fi
  speculum_found=""
  speculum_path_java="$(command -v java 2>/dev/null || :)"
  if [ -n "$speculum_path_java" ]; then
    speculum_home="$("$speculum_path_java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.home = //p')"
    if [ -n "$speculum_home" ] && speculum_is_jdk "$speculum_home"; then
      speculum_found="$speculum_home"
    fi
  fi
  speculum_search="${SPECULUM_JDK_SEARCH-/usr/lib/jvm/*:/opt/java/*:${SDKMAN_DIR:-$HOME/.sdkman}/candidates/java/*:/opt/homebrew/opt/openjdk*/libexec/openjdk.jdk/Contents/Home:/usr/local/opt/openjdk*/libexec/openjdk.jdk/Contents/Home:/home/linuxbrew/.linuxbrew/opt/openjdk*/libexec:/Library/Java/JavaVirtualMachines/*/Contents/Home}"
  if [ -z "$speculum_found" ]; then
    speculum_ifs="$IFS"
    case $- in *f*) speculum_noglob=true ;; *) speculum_noglob=false ;; esac
    IFS=:
    set +f
    for speculum_candidate in $speculum_search; do
      if speculum_is_jdk "$speculum_candidate"; then
        speculum_found="$speculum_candidate"
        break
      fi
    done
    if [ "$speculum_noglob" = true ]; then set -f; fi
    IFS="$speculum_ifs"
  fi
  if [ -n "$speculum_found" ]; then
    printf '%s\n' "mvnw: JAVA_HOME (${JAVA_HOME:-unset}) is not a JDK $speculum_jdk_min+; using the JDK $(speculum_jdk_version "$speculum_found") at $speculum_found" >&2
    JAVA_HOME="$speculum_found"
    PATH="$JAVA_HOME/bin:$PATH"
    export JAVA_HOME PATH
  else
    printf '%s\n' "mvnw: no JDK $speculum_jdk_min+ found in JAVA_HOME, on the PATH or in $(printf %s "$speculum_search" | sed 's/:/, /g')." \
      "  Install one, e.g. Temurin $speculum_jdk_min from https://adoptium.net/temurin/releases/?version=$speculum_jdk_min" \
      "  into one of those folders, or point JAVA_HOME at it." >&2
  fi
}

speculum_find_jdk
