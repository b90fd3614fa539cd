/* dev/devclass.c — the table of device classes (devclass.h). */
#include "dev/devclass.h"

#include <stdio.h>
#include <string.h>

const struct dev_class *const dev_classes[] = {
    &uart_class, &timer_class, &disk_class, &nic_class, &fb_class,
    &kbd_class,  &power_class, &tpm_class,  NULL,
};

const struct dev_class *dev_class_find(const char *name)
{
    for (const struct dev_class *const *c = dev_classes; *c; c++)
        if (strcmp((*c)->name, name) == 0)
            return *c;
    return NULL;
}

unsigned dev_class_index(const struct dev_class *cls)
{
    unsigned i = 0;
    while (dev_classes[i] && dev_classes[i] != cls)
        i++;
    return i;
}

const char *dev_class_names(bool shareable_only)
{
    static char buf[2][256];
    char *b = buf[shareable_only];
    if (b[0])
        return b;
    for (const struct dev_class *const *c = dev_classes; *c; c++)
        if (!shareable_only || (*c)->shareable)
            snprintf(b + strlen(b), sizeof buf[0] - strlen(b), "%s%s", b[0] ? " " : "", (*c)->name);
    return b;
}
