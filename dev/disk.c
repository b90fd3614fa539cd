/*
 * dev/disk.c — block disk (register map in disk.h). A command is checked
 * when written (range, read-only, busy) and carried out when its device time
 * has passed, in disk_complete(): the transfer through the bus and the host
 * file I/O happen then, so the guest sees BUSY for the whole latency.
 */
#include "dev/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev/devclass.h"
#include "util/fileio.h"
#include "util/parse.h"

struct disk {
    io_link_t *link;
    int fd;
    bool readonly, big_endian;
    uint32_t sectors;
    uint32_t lba, count, dma_addr, status, error, ctrl;
    uint32_t cmd;     /* command in progress (when BUSY) */
    uint64_t done_at; /* its completion cycle */
    uint8_t buffer[DISK_SECTOR];
    struct disk_stats stats;
};

static void disk_update_irq(struct disk *d)
{
    io_link_irq(d->link,
                (d->ctrl & DISK_CTRL_IRQ_EN) && (d->status & (DISK_ST_DONE | DISK_ST_ERROR)));
}

static void disk_finish(struct disk *d, enum disk_error e)
{
    d->status &= ~DISK_ST_BUSY;
    d->status |= e == DISK_ERR_NONE ? DISK_ST_DONE : DISK_ST_ERROR;
    d->error = e;
    if (e != DISK_ERR_NONE)
        d->stats.errors++;
    disk_update_irq(d);
}

static bool full_pread(int fd, void *buf, size_t len, off_t off)
{
    while (len) {
        ssize_t n = pread(fd, buf, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf = (char *)buf + n;
        len -= (size_t)n;
        off += n;
    }
    return true;
}

static bool full_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    while (len) {
        ssize_t n = pwrite(fd, buf, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf = (const char *)buf + n;
        len -= (size_t)n;
        off += n;
    }
    return true;
}

/* Carry out the command in progress. */
static enum disk_error disk_complete(struct disk *d)
{
    off_t off = (off_t)d->lba * DISK_SECTOR;
    size_t len = (size_t)d->count * DISK_SECTOR;
    switch (d->cmd) {
    case DISK_CMD_READ_PIO:
        if (!full_pread(d->fd, d->buffer, DISK_SECTOR, off))
            return DISK_ERR_IO;
        d->stats.reads++;
        d->stats.bytes_read += DISK_SECTOR;
        return DISK_ERR_NONE;
    case DISK_CMD_WRITE_PIO:
        if (!full_pwrite(d->fd, d->buffer, DISK_SECTOR, off))
            return DISK_ERR_IO;
        d->stats.writes++;
        d->stats.bytes_written += DISK_SECTOR;
        return DISK_ERR_NONE;
    case DISK_CMD_FLUSH: d->stats.flushes++; return fsync(d->fd) == 0 ? DISK_ERR_NONE : DISK_ERR_IO;
    case DISK_CMD_READ_DMA:
    case DISK_CMD_WRITE_DMA: {
        uint8_t *buf = malloc(len);
        if (!buf)
            return DISK_ERR_IO;
        enum disk_error e = DISK_ERR_NONE;
        if (d->cmd == DISK_CMD_READ_DMA) {
            if (!full_pread(d->fd, buf, len, off))
                e = DISK_ERR_IO;
            else if (io_link_dma_write(d->link, d->dma_addr, buf, len) != 0)
                e = DISK_ERR_DMA;
            else {
                d->stats.reads++;
                d->stats.bytes_read += len;
            }
        } else {
            if (io_link_dma_read(d->link, d->dma_addr, buf, len) != 0)
                e = DISK_ERR_DMA;
            else if (!full_pwrite(d->fd, buf, len, off))
                e = DISK_ERR_IO;
            else {
                d->stats.writes++;
                d->stats.bytes_written += len;
            }
        }
        free(buf);
        return e;
    }
    }
    return DISK_ERR_BADCMD;
}

/* Check a command and start it. */
static void disk_command(struct disk *d, uint32_t cmd)
{
    if (d->status & DISK_ST_BUSY) {
        d->error = DISK_ERR_BUSY; /* the running command goes on */
        d->stats.errors++;
        return;
    }
    d->status &= ~(DISK_ST_DONE | DISK_ST_ERROR);
    uint32_t n = 0;
    switch (cmd) {
    case DISK_CMD_READ_PIO:
    case DISK_CMD_WRITE_PIO: n = 1; break;
    case DISK_CMD_READ_DMA:
    case DISK_CMD_WRITE_DMA: n = d->count; break;
    case DISK_CMD_FLUSH: break;
    default: disk_finish(d, DISK_ERR_BADCMD); return;
    }
    if (cmd != DISK_CMD_FLUSH &&
        (n == 0 || n > DISK_MAX_COUNT || d->lba >= d->sectors || n > d->sectors - d->lba)) {
        disk_finish(d, DISK_ERR_RANGE);
        return;
    }
    if (d->readonly && (cmd == DISK_CMD_WRITE_PIO || cmd == DISK_CMD_WRITE_DMA)) {
        disk_finish(d, DISK_ERR_READONLY);
        return;
    }
    if (cmd == DISK_CMD_READ_PIO || cmd == DISK_CMD_WRITE_PIO)
        d->count = 1;
    d->cmd = cmd;
    d->status |= DISK_ST_BUSY;
    d->done_at = io_link_now(d->link) + DISK_LATENCY_CYCLES + (uint64_t)n * DISK_LATENCY_PER_SECTOR;
    io_link_schedule(d->link, d->done_at);
}

static uint64_t disk_tick(void *opaque, uint64_t now)
{
    struct disk *d = opaque;
    if (!(d->status & DISK_ST_BUSY))
        return IODEV_NO_EVENT;
    if (now < d->done_at)
        return d->done_at;
    disk_finish(d, disk_complete(d));
    return IODEV_NO_EVENT;
}

static enum phys_result disk_read(void *opaque, uint32_t off, unsigned size, uint32_t *v)
{
    struct disk *d = opaque;
    if (off >= DISK_REG_BUFFER) {
        /* The value a load of these bytes from RAM would give this CPU. */
        uint32_t i = off - DISK_REG_BUFFER, x = 0;
        for (unsigned k = 0; k < size; k++)
            x |= (uint32_t)d->buffer[i + k] << (8 * (d->big_endian ? size - 1 - k : k));
        *v = x;
        return PHYS_OK;
    }
    if (size != 4)
        return PHYS_BUS_ERROR;
    switch (off) {
    case DISK_REG_SECTORS: *v = d->sectors; return PHYS_OK;
    case DISK_REG_LBA: *v = d->lba; return PHYS_OK;
    case DISK_REG_COUNT: *v = d->count; return PHYS_OK;
    case DISK_REG_DMA_ADDR: *v = d->dma_addr; return PHYS_OK;
    case DISK_REG_COMMAND: *v = 0; return PHYS_OK;
    case DISK_REG_STATUS: *v = d->status; return PHYS_OK;
    case DISK_REG_ERROR: *v = d->error; return PHYS_OK;
    case DISK_REG_CTRL: *v = d->ctrl; return PHYS_OK;
    }
    return PHYS_BUS_ERROR;
}

static enum phys_result disk_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    struct disk *d = opaque;
    if (off >= DISK_REG_BUFFER) {
        uint32_t i = off - DISK_REG_BUFFER;
        for (unsigned k = 0; k < size; k++)
            d->buffer[i + k] = (uint8_t)(v >> (8 * (d->big_endian ? size - 1 - k : k)));
        return PHYS_OK;
    }
    if (size != 4)
        return PHYS_BUS_ERROR;
    switch (off) {
    case DISK_REG_SECTORS: return PHYS_OK; /* read-only */
    case DISK_REG_LBA: d->lba = v; return PHYS_OK;
    case DISK_REG_COUNT: d->count = v; return PHYS_OK;
    case DISK_REG_DMA_ADDR: d->dma_addr = v; return PHYS_OK;
    case DISK_REG_COMMAND: disk_command(d, v); return PHYS_OK;
    case DISK_REG_STATUS:
        d->status &= ~(v & (DISK_ST_DONE | DISK_ST_ERROR));
        disk_update_irq(d);
        return PHYS_OK;
    case DISK_REG_ERROR: return PHYS_OK;
    case DISK_REG_CTRL:
        d->ctrl = v & DISK_CTRL_IRQ_EN;
        disk_update_irq(d);
        return PHYS_OK;
    }
    return PHYS_BUS_ERROR;
}

static void disk_reset(void *opaque)
{
    struct disk *d = opaque;
    if (d->status & DISK_ST_BUSY) /* a write in flight is finished, not lost */
        (void)disk_complete(d);
    d->lba = d->count = d->dma_addr = d->status = d->error = d->ctrl = d->cmd = 0;
    disk_update_irq(d);
}

void disk_get_stats(const disk_t *d, struct disk_stats *out) { *out = d->stats; }

static void disk_free(void *opaque)
{
    struct disk *d = opaque;
    disk_reset(d);
    fsync(d->fd);
    close(d->fd);
    free(d);
}

static const struct iodev_ops disk_ops = {
    .name = "disk",
    .vendor = IODEV_VENDOR_TV,
    .device = DISK_DEVICE_ID,
    .revision = 1,
    .reg_size = DISK_REG_BUFFER + DISK_SECTOR,
    .access_sizes = 4 | 2 | 1,
    .read = disk_read,
    .write = disk_write,
    .reset = disk_reset,
    .tick = disk_tick,
    .free = disk_free,
};

disk_t *disk_new(iobus_t *io, unsigned bus, unsigned slot, const struct disk_config *cfg, char *err,
                 size_t errlen)
{
    char msg[400];
    int fd = file_open_regular(cfg->path, cfg->readonly ? O_RDONLY : O_RDWR, msg, sizeof msg);
    if (fd < 0) {
        snprintf(err, errlen, "disk image %s", msg); /* never blocks on a FIFO */
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "disk image %s: not a regular file", cfg->path);
        close(fd);
        return NULL;
    }
    /* One writer per image (as QEMU locks its images): a second machine, in
     * this process or another, would corrupt it. Readers share. */
    if (flock(fd, (cfg->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
        snprintf(err, errlen, "disk image %s: in use by another machine (%s)", cfg->path,
                 errno == EWOULDBLOCK ? "it holds the image's lock" : strerror(errno));
        close(fd);
        return NULL;
    }
    if (st.st_size / DISK_SECTOR > UINT32_MAX) {
        snprintf(err, errlen,
                 "disk image %s: %lld bytes is more than 2^32-1 sectors of %u bytes (2 TiB)",
                 cfg->path, (long long)st.st_size, DISK_SECTOR);
        close(fd);
        return NULL;
    }
    if (st.st_size < (off_t)DISK_SECTOR || st.st_size % DISK_SECTOR != 0) {
        snprintf(err, errlen,
                 "disk image %s: size %lld bytes is not a non-zero multiple of %u-byte sectors",
                 cfg->path, (long long)st.st_size, DISK_SECTOR);
        close(fd);
        return NULL;
    }
    struct disk *d = calloc(1, sizeof *d);
    if (!d) {
        close(fd);
        snprintf(err, errlen, "disk image %s: out of memory", cfg->path);
        return NULL;
    }
    d->fd = fd;
    d->readonly = cfg->readonly;
    d->big_endian = cfg->big_endian;
    d->sectors = (uint32_t)(st.st_size / DISK_SECTOR);
    if (iobus_attach(io, bus, slot, &disk_ops, d, &d->link) != 0) {
        snprintf(err, errlen, "disk: bus %u slot %u is not free", bus, slot);
        close(fd);
        free(d);
        return NULL;
    }
    return d;
}

/* ---- the device class ----------------------------------------------------- */

static int disk_set(void *settings, const char *key, const char *v, char *err, size_t errlen)
{
    struct disk_settings *d = settings;
    if (strcmp(key, "image") == 0)
        return parse_path(d->image, sizeof d->image, v, "disk image", err, errlen);
    if (strcmp(key, "create") == 0) {
        if (!parse_size(v, &d->create) || d->create < DISK_SECTOR || d->create % DISK_SECTOR) {
            snprintf(err, errlen, "create: '%s' is not a size in whole %u-byte sectors", v,
                     DISK_SECTOR);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "readonly") == 0) {
        if (!parse_bool(v, &d->readonly)) {
            snprintf(err, errlen, "readonly: '%s' is not a boolean", v);
            return -1;
        }
        return 0;
    }
    return 1;
}

static int disk_check(const void *settings, char *err, size_t errlen)
{
    const struct disk_settings *d = settings;
    if (!d->image[0]) {
        snprintf(err, errlen, "a disk needs an image (image = FILE)");
        return -1;
    }
    return 0;
}

static void *disk_attach(const struct dev_host *h, unsigned bus, unsigned slot,
                         const void *settings, char *err, size_t errlen)
{
    const struct disk_settings *d = settings;
    if (d->create && !d->readonly) { /* a new zeroed image, never over an existing file */
        int fd = open(d->image, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) {
            snprintf(err, errlen, "disk image %s: cannot create it: %s", d->image, strerror(errno));
            return NULL;
        }
        if (fd >= 0) {
            int rc = ftruncate(fd, (off_t)d->create);
            int saved = errno;
            close(fd);
            if (rc != 0) {
                unlink(d->image);
                snprintf(err, errlen, "disk image %s: cannot create it: %s", d->image,
                         strerror(saved));
                return NULL;
            }
        }
    }
    struct disk_config dc = {d->image, d->readonly, h->big_endian};
    return disk_new(h->io, bus, slot, &dc, err, errlen);
}

const struct dev_class disk_class = {
    .name = "disk",
    .keys = "image, readonly, create",
    .settings_size = sizeof(struct disk_settings),
    .set = disk_set,
    .check = disk_check,
    .attach = disk_attach,
};
