/** A notification Tend showed, as a test build records it in `storage.local` (`tendTestShown`). */
export interface Shown {
  id: string;
  title: string;
  message: string;
  buttons: string[];
}
