namespace Whereabouts.Stores.FileStore;

/// <summary>
/// An exclusive flock on the store's lock file, held while one write is checked and made. The kernel drops it
/// if the process dies, so a killed plugin never leaves the store locked.
/// </summary>
sealed class DirectoryLock : IDisposable
{
    readonly int fd;

    DirectoryLock(int fd) => this.fd = fd;

    public static async Task<DirectoryLock> Acquire(string lockFile, CancellationToken ct)
    {
        var fd = Posix.OpenLockFile(lockFile);
        try
        {
            // Uncontended (the common case): take it at once, without a thread hop. Contended: block on a
            // pool thread so the deadline can still cancel the wait.
            var rc = Posix.Flock(fd, Posix.LockExclusive | Posix.LockNonBlocking) == 0 ? 0
                : await Task.Run(() => Posix.Flock(fd, Posix.LockExclusive), CancellationToken.None).WaitAsync(ct);
            if (rc != 0) throw new IOException($"cannot lock {lockFile}");
            return new DirectoryLock(fd);
        }
        catch
        {
            Posix.Close(fd);
            throw;
        }
    }

    public void Dispose()
    {
        Posix.Flock(fd, Posix.LockUnlock);
        Posix.Close(fd);
    }
}
