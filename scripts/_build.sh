# Sourced by the launchers: build the module on first use (or after a source change), then run the
# packaged thin jars that appassembler lays out under <module>/target/appassembler.
sotto_root() { cd "$(dirname "$(readlink -f "${BASH_SOURCE[1]}")")/.." && pwd; }

sotto_ensure_built() { # $1 = root, $2 = module dir, $3 = program name
  local root=$1 module=$2 prog=$3
  local app="$root/$module/target/appassembler/bin/$prog"
  local stamp="$root/$module/target/.sotto-built"
  if [ ! -x "$app" ] || [ ! -f "$stamp" ] || \
     [ -n "$(find "$root" \( -path '*/src/main/*' -o -name pom.xml \) -newer "$stamp" -not -path '*/target/*' -print -quit 2>/dev/null)" ]; then
    if ! command -v mvn >/dev/null 2>&1; then
      echo "$prog: Maven (mvn) is needed to build Sotto on first use; install it (apt-get install maven) and retry" >&2
      exit 127
    fi
    echo "$prog: building Sotto (first use or sources changed; takes a minute)..." >&2
    (cd "$root" && mvn -B -q -DskipTests -Dspotless.check.skip=true -pl "$module" -am package) >&2 || {
      echo "$prog: the build failed; see the Maven output above" >&2
      exit 1
    }
    touch "$stamp"
  fi
  SOTTO_APP=$app
}
