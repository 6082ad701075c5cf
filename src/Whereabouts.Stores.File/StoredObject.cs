using System.Text.Json;

namespace Whereabouts.Stores.FileStore;

/// <summary>
/// One stored document, shaped like its Kubernetes object:
/// <c>{"apiVersion":"whereabouts.cni.cncf.io/v1alpha1","kind":"IPPool","metadata":{"name":…,"resourceVersion":"3"},"spec":{…}}</c>.
/// </summary>
/// <remarks>
/// The version is a decimal counter kept as text, of any length: a number type would overflow (a stored
/// "99999999999999999999" aborted the plugin, "9223372036854775807" wrapped negative on the next write).
/// </remarks>
sealed record StoredObject(string Version, ReadOnlyMemory<byte> Spec)
{
    public const string ApiVersion = "whereabouts.cni.cncf.io/v1alpha1";

    /// <summary>The version after <paramref name="version"/>: the decimal counter plus one ("199" → "200", "9" → "10").</summary>
    public static string NextVersion(string version)
    {
        var digits = version.ToCharArray();
        var i = digits.Length - 1;
        while (i >= 0 && digits[i] == '9') digits[i--] = '0';
        if (i < 0) return "1" + new string(digits);
        digits[i]++;
        return new string(digits);
    }

    static bool IsCounter(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    public static StoredObject? Read(string path)
    {
        // Opened without following a link, regular files only, capped (SafeFile): a link planted in the store
        // directory must not make the plugin read, or quote, another file. Absent is the common case (a
        // reservation about to be created) and costs one failed open, no exception.
        byte[]? bytes;
        try { bytes = SafeFile.Read(path, SafeFile.DocumentLimit); }
        catch (UnsafeFileException e) { throw new StoreUnavailableException($"cannot use a stored document: {e.Message}; repair or remove it", transient: false, e); }
        if (bytes is null) return null;
        try
        {
            return Parse(bytes);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new StoreUnavailableException($"stored document {path} is unreadable ({e.Message}); repair or remove it", transient: false, e);
        }
    }

    /// <summary>
    /// metadata.resourceVersion and the spec's bytes, in one pass of a Utf8JsonReader (see PoolCodec.Decode on
    /// why not JsonDocument); the spec is decoded by its codec.
    /// </summary>
    static StoredObject Parse(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new FormatException("it is not a JSON object");
        string? version = null;
        ReadOnlyMemory<byte>? spec = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            var isSpec = reader.ValueTextEquals("spec"u8);
            reader.Read();
            if (isSpec && reader.TokenType == JsonTokenType.StartObject)
            {
                var from = (int)reader.TokenStartIndex;
                reader.Skip();
                spec = bytes.AsMemory(from, (int)reader.BytesConsumed - from);
            }
            else if (isMetadata && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isVersion = reader.ValueTextEquals("resourceVersion"u8);
                    reader.Read();
                    if (isVersion && reader.TokenType == JsonTokenType.String)
                        version = reader.GetString() is { } v && IsCounter(v) ? v : throw new FormatException("metadata.resourceVersion is not a decimal counter");
                    else reader.Skip();
                }
            }
            else reader.Skip();
        }
        while (reader.Read()) { }
        return new StoredObject(
            version ?? throw new FormatException("metadata.resourceVersion is missing"),
            spec ?? throw new FormatException("spec is missing"));
    }

    /// <summary>Write to a temporary file, fsync it, rename it over the target.</summary>
    /// <remarks>
    /// The temporary file is the target's name plus ".tmp", created exclusively (O_EXCL|O_NOFOLLOW, 0600): writers
    /// hold the store's lock, so one that exists is a killed writer's, removed and created again; and a link
    /// planted under that name is removed, never written through. rename() replaces the target's name itself,
    /// never what a link there points to.
    /// </remarks>
    /// <remarks>
    /// The file's fsync before the rename is what keeps a document whole: after a crash or power cut the name
    /// holds the old document or the new one, never a torn or empty one. The directory is not fsynced: that
    /// would only make the rename itself survive a power cut, and on the one host this store serves a power
    /// cut also ends every pod whose ADD or DEL it would keep (the runtime sets them up again, and a DEL that
    /// rolled back leaves an allocation GC releases). It was 4 of the 7 fsyncs of an ADD+DEL pair.
    /// </remarks>
    public static void Write(string path, string kind, string name, string version, Action<Utf8JsonWriter> writeSpec)
    {
        var temp = TempOf(path);
        try
        {
            using (var stream = SafeFile.CreateNew(temp, SafeFile.DataMode)
                ?? (SafeFile.Remove(temp) ? SafeFile.CreateNew(temp, SafeFile.DataMode) : null)
                ?? throw new IOException($"{temp} keeps reappearing"))
            {
                using (var w = new Utf8JsonWriter(stream, Core.JsonEscaping.Compact))
                {
                    w.WriteStartObject();
                    w.WriteString("apiVersion", ApiVersion);
                    w.WriteString("kind", kind);
                    w.WriteStartObject("metadata");
                    w.WriteString("name", name);
                    w.WriteString("resourceVersion", version);
                    w.WriteEndObject();
                    w.WritePropertyName("spec");
                    writeSpec(w);
                    w.WriteEndObject();
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new StoreUnavailableException($"cannot write {path}: {e.Message}", transient: false, e);
        }
    }

    /// <summary>The temporary file a write of <paramref name="path"/> goes through.</summary>
    public static string TempOf(string path) => path + ".tmp";

    /// <summary>Removes the document and a temporary file a killed writer may have left for it (under the store's lock).</summary>
    public static void Delete(string path)
    {
        SafeFile.Remove(path);
        TryDelete(TempOf(path));
    }

    static void TryDelete(string path)
    {
        try { SafeFile.Remove(path); } catch (IOException) { }
    }
}
