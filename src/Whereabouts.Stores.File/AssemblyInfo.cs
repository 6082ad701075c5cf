using System.Runtime.CompilerServices;

// The file store's tests write documents as an older version would (StoredObject) to check they are read back.
[assembly: InternalsVisibleTo("Whereabouts.Stores.Tests")]
