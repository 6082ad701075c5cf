// whereabouts-controller: see docs/operations.md. The composition root is being written.
return 0;
