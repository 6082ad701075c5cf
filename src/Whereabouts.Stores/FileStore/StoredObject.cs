using System.Text.Json;

namespace Whereabouts.Stores.FileStore;

/// <summary>
/// One stored document, shaped like its Kubernetes object:
/// <c>{"apiVersion":"whereabouts.cni.cncf.io/v1alpha1","kind":"IPPool","metadata":{"name":…,"resourceVersion":"3"},"spec":{…}}</c>.
/// </summary>
sealed record StoredObject(long Version, JsonElement Spec)
{
    public const string ApiVersion = "whereabouts.cni.cncf.io/v1alpha1";

    public static StoredObject? Read(string path)
    {
        // Absent is the common case (a reservation about to be created): checked first, because a thrown
        // FileNotFoundException costs more than the whole read under Native AOT. The catch covers the race.
        if (!File.Exists(path)) return null;
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        catch (IOException e) { throw new StoreUnavailableException($"cannot read {path}: {e.Message}", transient: true, e); }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            var version = long.Parse(root.GetProperty("metadata").GetProperty("resourceVersion").GetString() ?? "", System.Globalization.CultureInfo.InvariantCulture);
            return new StoredObject(version, root.GetProperty("spec").Clone());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new StoreUnavailableException($"stored document {path} is unreadable ({e.Message}); repair or remove it", transient: false, e);
        }
    }

    /// <summary>Write to a temporary file, fsync, rename over the target, fsync the directory.</summary>
    public static void Write(string path, string kind, string name, long version, Action<Utf8JsonWriter> writeSpec)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096))
            {
                using (var w = new Utf8JsonWriter(stream, Core.JsonEscaping.Compact))
                {
                    w.WriteStartObject();
                    w.WriteString("apiVersion", ApiVersion);
                    w.WriteString("kind", kind);
                    w.WriteStartObject("metadata");
                    w.WriteString("name", name);
                    w.WriteString("resourceVersion", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteEndObject();
                    w.WritePropertyName("spec");
                    writeSpec(w);
                    w.WriteEndObject();
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            Posix.FsyncDirectory(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new StoreUnavailableException($"cannot write {path}: {e.Message}", transient: false, e);
        }
    }

    public static void Delete(string path)
    {
        File.Delete(path);
        Posix.FsyncDirectory(Path.GetDirectoryName(path)!);
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { }
    }
}
