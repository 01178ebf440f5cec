#!/bin/sh
KETCH_MAIN=io.ketch.cli.KetchCtl exec /usr/local/bin/ketch "$@"
