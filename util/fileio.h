/*
 * util/fileio.h — opening the user's files without ever blocking or
 * guessing: open(2) of a FIFO or of some devices waits for a peer before any
 * check can run, so every path the user names is opened non-blocking and
 * looked at first. Each returns -1 / NULL with "PATH: reason" in err.
 */
#ifndef UTIL_FILEIO_H
#define UTIL_FILEIO_H

#include <stddef.h>
#include <stdio.h>

/* A regular file (kernels, firmware, disk images, configs, scripts, fonts):
 * open(2) flags O_RDONLY or O_RDWR; a directory, FIFO, socket or device is
 * refused. The descriptor is blocking again when returned. */
int file_open_regular(const char *path, int flags, char *err, size_t errlen);
FILE *file_fopen_regular(const char *path, char *err, size_t errlen); /* for reading */
/* Just the check: 0 when path is a regular file. */
int file_check_regular(const char *path, char *err, size_t errlen);
/* An input stream that may also be a pipe or a terminal (console input): a
 * regular file, a FIFO or a character device, never a directory; opened
 * non-blocking (its reader polls). */
int file_open_input(const char *path, char *err, size_t errlen);
/* An output the run will write (stats, console files, screenshots): it can
 * be created or written now, before the run (an absent file is created to
 * find out, then removed). */
int file_check_writable(const char *path, char *err, size_t errlen);

/* Replace path with data, atomically: a temporary file beside it, written
 * and fsync'ed, renamed over it, the directory fsync'ed — a crash at any
 * moment leaves the old contents or the new, never a mix. 0, or -1. */
int file_replace_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);
/* A whole regular file of at most max bytes into a malloc'ed buffer (*len
 * its size): 0, 1 when it does not exist, -1 on any other error. */
int file_read_all(const char *path, size_t max, unsigned char **data, size_t *len, char *err,
                  size_t errlen);

#endif
